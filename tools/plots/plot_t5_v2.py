"""Plots of the format-version-2 T5 models (PNG, docs/plots/), drawn by
tools/t5/make_t5_v2_models.py on its check sample:

- t5_v2_eff_vs_pt.png: per-class pass fraction at the 98% working point vs
  sim pT (prompt, displaced T5s) and vs the T5's inner-T3 pT (fakes), for the
  3-class model and the binary lst-v2 model;
- t5_v2_eff_vs_d0.png: the same vs the sim particle's |d0|;
- t5_v2_embedding_distance.png: embedding distance of duplicate pairs (two
  T5s of one sim particle) and of the other pairs, with the chosen cut.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402
import numpy as np  # noqa: E402

import t5_reference as ref  # noqa: E402
import train_t5  # noqa: E402

PNG = dict(dpi=90, metadata={"Software": None})
PT_EDGES = np.array([0.8, 1.0, 1.5, 2.0, 3.0, 5.0, 7.0, 10.0, 20.0, 50.0])
D0_EDGES = np.array([0.0, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0])
STYLE = {"3-class": dict(color="tab:blue"), "binary lst-v2": dict(color="tab:gray")}


def _binned(value, passed, edges):
    idx = np.digitize(value, edges) - 1
    ok = (idx >= 0) & (idx < edges.size - 1)
    n = np.bincount(idx[ok], minlength=edges.size - 1)
    k = np.bincount(idx[ok], weights=passed[ok].astype(float), minlength=edges.size - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        eff = k / n
        err = np.sqrt(eff * (1 - eff) / n)
    return 0.5 * (edges[1:] + edges[:-1]), eff, err


def _passes(tab, score, wp):
    return train_t5.passes(score, tab["r_inner"], tab["eta1"], wp)


def _save(fig, path):
    fig.tight_layout()
    fig.savefig(path, **PNG)
    plt.close(fig)


def draw(out, tab, model_3class, wp_binary, distances, cut):
    """tab: the check sample's table with the 3-class "score" and "score_binary" per T5."""
    wp98 = model_3class["working_points"][0]
    passed = {"3-class": _passes(tab, tab["score"], wp98), "binary lst-v2": _passes(tab, tab["score_binary"], wp_binary)}
    reco_pt = ref.pt_from_radius(tab["r_inner"])
    sim_pt, d0, cls = tab["sim_pt"].astype(np.float64), tab["sim_d0"].astype(np.float64), tab["cls"]

    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for ax, k, title, value in ((axes[0], 1, "prompt T5s", sim_pt), (axes[1], 2, "displaced T5s", sim_pt),
                                (axes[2], 0, "fake T5s", reco_pt)):
        for name, p in passed.items():
            x, eff, err = _binned(value[cls == k], p[cls == k], PT_EDGES)
            ax.errorbar(x, eff, yerr=err, marker="o", ms=3, ls="-", label=name, **STYLE[name])
        ax.set_xscale("log"), ax.set_ylim(0, 1.05), ax.grid(alpha=0.3)
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("sim pT [GeV]" if k else "inner-T3 pT [GeV]"), ax.set_title(title)
    axes[0].set_ylabel("pass fraction, 98% working point"), axes[0].legend(loc="lower right")
    _save(fig, out / "t5_v2_eff_vs_pt.png")

    fig, ax = plt.subplots(figsize=(6, 4))
    true = cls > 0
    for name, p in passed.items():
        x, eff, err = _binned(d0[true], p[true], D0_EDGES)
        ax.errorbar(x, eff, yerr=err, marker="o", ms=3, ls="-", label=f"{name}, true T5s", **STYLE[name])
    ax.set_xlabel("sim |d0| [cm]"), ax.set_ylabel("pass fraction, 98% working point")
    ax.set_ylim(0, 1.05), ax.grid(alpha=0.3), ax.legend(loc="lower left")
    _save(fig, out / "t5_v2_eff_vs_d0.png")

    d, same = distances
    fig, ax = plt.subplots(figsize=(6, 4))
    bins = np.linspace(0.0, max(3.0 * cut, 1e-3), 60)
    ax.hist(np.clip(d[same], 0, bins[-1]), bins=bins, density=True, histtype="step", label=f"duplicate pairs ({same.sum()})")
    ax.hist(np.clip(d[~same], 0, bins[-1]), bins=bins, density=True, histtype="step", label=f"other pairs ({(~same).sum()})")
    ax.axvline(cut, color="k", ls="--", label=f"cut {cut:.3f}")
    ax.set_xlabel("embedding distance (last bin: overflow)"), ax.set_ylabel("pairs (normalised)")
    ax.set_yscale("log"), ax.legend()
    _save(fig, out / "t5_v2_embedding_distance.png")
