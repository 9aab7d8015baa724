#!/usr/bin/env python3
"""Validation plots of the trained T5 models (PNG, docs/plots/).

usage: python3 tools/plots/plot_t5.py [--work build/t5_toy] [--out docs/plots] [--no-library]

Reads the tables and model files make_t5_models.py left in --work, and
- t5_roc.png: true-T5 vs fake-T5 efficiency, DNN (lst-v2, lst-v1) vs the
  baseline chi2, on the check sample; star = DNN cut matched to the baseline
  cut's fake efficiency, circle = the baseline cut, diamond = 98% table;
- t5_eff_fake_vs_pt.png, t5_eff_fake_vs_eta.png: true-T5 efficiency vs sim
  pT / eta and fake rate (fake share of passing T5s) vs reco pT / eta of md1,
  for the baseline cut, the matched DNN cut and the 98% table;
- t5_parity_score.png, t5_parity_features.png: the library (libtrigml.so
  through the trigml package) vs the numpy reference on a freshly
  generated toy sample: scatter and residual histogram. Skipped with
  --no-library.
"""
import argparse
import json
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: F401,E402  (tools subfolders and python/ on sys.path)
ROOT = checkout_paths.ROOT

import t5_reference as ref  # noqa: E402
import train_t5  # noqa: E402
from lst_toy import sample  # noqa: E402
from t5_model_file import read_model  # noqa: E402

PNG = dict(dpi=90, metadata={"Software": None})
PARITY_EVENTS = 4


def _roc(score_true, score_fake, higher_is_signal=True, n=400):
    s = np.concatenate([score_true, score_fake])
    s = s[np.isfinite(s)]
    qs = np.unique(np.quantile(s, np.linspace(0, 1, n)))
    if higher_is_signal:
        return np.array([(score_fake > q).mean() for q in qs]), np.array([(score_true > q).mean() for q in qs])
    return np.array([(score_fake < q).mean() for q in qs]), np.array([(score_true < q).mean() for q in qs])


def plot_roc(ck, scores, summary, out):
    t = ck["label"] > 0
    fig, ax = plt.subplots(figsize=(5.2, 4.2))
    for fs, color in (("lst-v2", "C0"), ("lst-v1", "C2")):
        fx, ty = _roc(scores[fs][t], scores[fs][~t])
        ax.plot(fx, ty, color=color, label=f"DNN {fs}")
    fx, ty = _roc(ck["chi2"][t], ck["chi2"][~t], higher_is_signal=False)
    ax.plot(fx, ty, color="C3", label="baseline $\\chi^2$ (rz + curvature)")
    base = summary["baseline"]["check_sample"]
    ax.plot(base["fake_eff"], base["true_eff"], "o", color="C3", ms=7,
            label=f"baseline cut $\\chi^2<{summary['baseline']['cut']:.2f}$")
    for fs, color in (("lst-v2", "C0"), ("lst-v1", "C2")):
        m = summary["models"][fs]["matched_single"]["check_sample"]
        ax.plot(m["fake_eff"], m["true_eff"], "*", color=color, ms=14, mec="k",
                label=f"{fs} matched cut ({m['true_eff']:.3f} vs {base['true_eff']:.3f})")
    m98 = summary["models"]["lst-v2"]["table98"]
    ax.plot(m98["check_fake_eff"], m98["check_retention_overall"], "D", color="C0", mec="k", ms=6,
            label="lst-v2 98% pT x |eta| table")
    ax.set_xscale("log")
    ax.set_xlim(1e-3, 1.0)
    ax.set_ylim(0.5, 1.005)
    ax.set_xlabel("fake T5 efficiency")
    ax.set_ylabel("true T5 efficiency")
    ax.set_title("T5 DNN vs baseline (toy, check sample)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(out / "t5_roc.png", **PNG)
    plt.close(fig)


def _binned(x, num, edges):
    idx = np.digitize(x, edges) - 1
    ok = (idx >= 0) & (idx < len(edges) - 1)
    tot = np.bincount(idx[ok], minlength=len(edges) - 1).astype(float)
    hit = np.bincount(idx[ok], weights=num[ok].astype(float), minlength=len(edges) - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = hit / tot
        err = np.sqrt(r * (1 - r) / tot)
    return r, err


def plot_eff_fake(ck, selections, variable, out):
    t = ck["label"] > 0
    if variable == "pt":
        edges = np.array([0.6, 0.8, 1.0, 1.3, 1.7, 2.2, 3, 4, 5, 7, 10, 15, 25, 50, 100])
        sim_x = ck["sim_pt"]
        reco_x = (ck["r_inner"].astype(np.float64) + ck["r_outer"]) * ref.K2RINV1GEVF
        xlabel_sim, xlabel_reco = "sim pT [GeV]", "T5 pT = (R_in + R_out) k2Rinv1GeVf [GeV]"
    else:
        edges = np.linspace(-2.6, 2.6, 27)
        sim_x, reco_x = ck["sim_eta"], ck["eta1"]
        xlabel_sim, xlabel_reco = "sim eta", "eta of md1"
    centres = 0.5 * (edges[1:] + edges[:-1])
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.6))
    for (name, passed), color in zip(selections.items(), ("C3", "C0", "C1")):
        eff, e1 = _binned(sim_x[t], passed[t], edges)
        a1.errorbar(centres, eff, yerr=e1, fmt="o-", ms=3, color=color, label=name)
        fr, e2 = _binned(reco_x[passed], ~t[passed], edges)
        a2.errorbar(centres, fr, yerr=e2, fmt="o-", ms=3, color=color, label=name)
    fr_all, _ = _binned(reco_x, ~t, edges)
    a2.plot(centres, fr_all, "k:", label="before any cut")
    for a, xl in ((a1, xlabel_sim), (a2, xlabel_reco)):
        a.set_xlabel(xl)
        a.grid(alpha=0.3)
        if variable == "pt":
            a.set_xscale("log")
    a1.set_ylabel("true T5 efficiency")
    a2.set_ylabel("fake rate (fake / passing T5)")
    a1.set_ylim(0.4, 1.02)
    a1.legend(fontsize=7, loc="lower right")
    a2.legend(fontsize=7)
    fig.suptitle(f"T5 selection vs {'pT' if variable == 'pt' else 'eta'} (toy, check sample)", fontsize=10)
    fig.tight_layout()
    fig.savefig(out / f"t5_eff_fake_vs_{variable}.png", **PNG)
    plt.close(fig)


def label_parity(fig, axes, quantity, reference_label, library_label, difference_label):
    """Labels one parity figure: library vs reference (left), the difference histogram (right)."""
    axes[0].set_xlabel(reference_label)
    axes[0].set_ylabel(library_label)
    axes[0].legend(fontsize=7, markerscale=6)
    axes[1].set_xlabel(difference_label)
    axes[1].set_yscale("log")
    axes[1].set_ylim(bottom=0.5)
    axes[1].legend(fontsize=7)
    fig.suptitle(f"T5 {quantity} parity on {PARITY_EVENTS} fresh toy events", fontsize=10)


def plot_parity(work, summary, out):
    import trigml  # needs the built library

    events = sample.generate(summary["seed"] + 4, PARITY_EVENTS, summary["pileup"], 1)
    fig_s, axs = plt.subplots(1, 2, figsize=(9, 3.6))
    fig_f, axf = plt.subplots(1, 2, figsize=(9, 3.6))
    lines = []
    for fs, color in (("lst-v2", "C0"), ("lst-v1", "C2")):
        path = work / f"t5_{fs.replace('-', '_')}.json"
        feature_set, layers, wp, _ = read_model(path)
        got_s, want_s, got_x, want_x = [], [], [], []
        with trigml.T5Model.load(path) as model:
            for b, _ in events:
                got_x.append(model.features(b))
                want_x.append(ref.features(b, feature_set))
                s, _ = model.score(b)
                got_s.append(s)
                want_s.append(ref.score(want_x[-1], layers, feature_set))
        got_s, want_s = np.concatenate(got_s).astype(np.float64), np.concatenate(want_s)
        got_x, want_x = np.concatenate(got_x).astype(np.float64), np.concatenate(want_x).astype(np.float64)
        n = got_s.size
        sub = np.random.default_rng(0).permutation(n)[:20000]
        axs[0].plot(want_s[sub], got_s[sub], ".", ms=1.5, color=color, label=f"{fs} ({n} T5)")
        ds = got_s - want_s
        fin = np.isfinite(ds)
        axs[1].hist(ds[fin], bins=np.linspace(-2e-7, 2e-7, 81), histtype="step", color=color,
                    label=f"{fs}: max |diff| {np.abs(ds[fin]).max():.2g}")
        # features: compare after scaling each feature by its spread so they share one axis
        scale = np.nanstd(np.where(np.isfinite(want_x), want_x, np.nan), axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        fx = np.isfinite(got_x) & np.isfinite(want_x)
        rel = np.where(fx, (got_x - want_x) / np.maximum(1.0, np.abs(want_x)), 0.0)
        axf[0].plot((want_x / scale)[sub].ravel(), (got_x / scale)[sub].ravel(), ".", ms=1, color=color,
                    label=f"{fs}: {want_x.shape[1]} features x {n} T5")
        axf[1].hist(rel[fx], bins=np.linspace(-3e-7, 3e-7, 81), histtype="step", color=color,
                    label=f"{fs}: max {np.abs(rel[fx]).max():.2g}, exact {np.mean(rel[fx] == 0):.4f}")
        lines.append(f"{fs}: {n} T5, max |score diff| {np.abs(ds[fin]).max():.3g}, "
                     f"max relative feature diff {np.abs(rel[fx]).max():.3g}, "
                     f"non-finite mismatches {int((np.isfinite(got_x) != np.isfinite(want_x)).sum())}")
    label_parity(fig_s, axs, "score", "reference score (numpy, training side)", "library score (libtrigml.so)",
                 "library - reference score")
    label_parity(fig_f, axf, "feature", "reference feature / feature spread", "library feature / feature spread",
                 "(library - reference) / max(1, |reference|)")
    for fig, name in ((fig_s, "t5_parity_score.png"), (fig_f, "t5_parity_features.png")):
        fig.tight_layout()
        fig.savefig(out / name, **PNG)
        plt.close(fig)
    for line in lines:
        print("parity " + line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default=str(ROOT / "build" / "t5_toy"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "plots"))
    parser.add_argument("--no-library", action="store_true")
    args = parser.parse_args()
    work, out = pathlib.Path(args.work), pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    summary = json.loads((work / "t5_working_points.json").read_text())
    ck = sample.load(work / "table_check.npz")
    scores, layers_of = {}, {}
    for fs, col in (("lst-v2", "x_v2"), ("lst-v1", "x_v1")):
        _, layers, _, _ = read_model(work / f"t5_{fs.replace('-', '_')}.json")
        scores[fs] = ref.score(ck[col], layers, fs)
    plot_roc(ck, scores, summary, out)
    v2 = summary["models"]["lst-v2"]
    matched = v2["matched_single"]["working_point"]
    selections = {
        f"baseline chi2 < {summary['baseline']['cut']:.2f}": ck["chi2"] < summary["baseline"]["cut"],
        f"DNN lst-v2 > {matched['cut']:.3g} (matched)": train_t5.passes(scores["lst-v2"], None, None, matched),
        "DNN lst-v2 98% pT x |eta| table": train_t5.passes(scores["lst-v2"], ck["r_inner"], ck["eta1"],
                                                        v2["table98"]["working_point"]),
    }
    plot_eff_fake(ck, selections, "pt", out)
    plot_eff_fake(ck, selections, "eta", out)
    if not args.no_library:
        plot_parity(work, summary, out)
    print(f"plots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
