"""Train the decorrelation study's taggers and evaluate them with the
library: a numpy MLP over jet substructure features, plain (binary
cross-entropy) and with a DisCo penalty (+ lambda dCorr^2(m, score) on
background, Kasieczka & Shih), exported as tagger model files; DDT maps
built with tml_ddt_build on an independent background sample for several
working points; the flatness check of the DDT-applied tagger on a held-out
background sample; R50 and 1/JSD (tml_metric_r50_jsd) for raw, DDT, DisCo
and DisCo+DDT; plots and a markdown table.

Jets come from tools/jets_parametric.py (deterministic seeds):
  train   seed 101: 40k background + 40k signal (network training)
  map     seed 202: 200k background (DDT maps)
  test    seed 303: 200k background + 20k signal (everything reported)

    python3 tools/tagger_train.py --out docs/taggers     # ~2-4 minutes
"""
import argparse
import json
import pathlib
import sys
import time

import numpy as np

TOOLS = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import jets_parametric as jp  # noqa: E402
import tagger_ctypes as tc  # noqa: E402
import tagger_metrics as tm  # noqa: E402
import tagger_model_file as tmf  # noqa: E402
import tagger_reference as ref  # noqa: E402

WORKING_POINTS = (0.10, 0.05, 0.02)


# ------------------------------------------------------------------ network

def init(rng, sizes):
    params = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        params.append([rng.normal(0, np.sqrt(2.0 / a), (a, b)), np.zeros(b)])
    return params


def forward(params, x):
    hs = [x]
    h = x
    for k, (w, b) in enumerate(params):
        z = h @ w + b
        h = np.maximum(z, 0) if k < len(params) - 1 else z
        hs.append(h)
    return hs


def backward(params, hs, dlogit):
    grads = []
    g = dlogit
    for k in range(len(params) - 1, -1, -1):
        w, _ = params[k]
        grads.append([hs[k].T @ g, g.sum(axis=0)])
        if k > 0:
            g = (g @ w.T) * (hs[k] > 0)
    return grads[::-1]


def disco_gradient(mass, y):
    """dCorr^2(mass, y) (unit weights) and its gradient w.r.t. y."""
    n = len(y)
    a = np.abs(mass[:, None] - mass[None, :])
    b = np.abs(y[:, None] - y[None, :])
    def centre(d):
        return d - d.mean(axis=0)[None, :] - d.mean(axis=1)[:, None] + d.mean()
    A, B = centre(a), centre(b)
    cov, vx, vy = (A * B).mean(), (A * A).mean(), (B * B).mean()
    if vy <= 0:
        return 0.0, np.zeros(n)
    s = np.sign(y[:, None] - y[None, :])
    g_cov = 2.0 / n ** 2 * (A * s).sum(axis=1)
    g_var = 4.0 / n ** 2 * (B * s).sum(axis=1)
    norm = np.sqrt(vx * vy)
    return cov / norm, (g_cov - 0.5 * cov * g_var / vy) / norm


def train(x, y, mass, lam, seed, epochs=12, batch=1024, lr=2e-3, sizes=(64, 64)):
    rng = np.random.default_rng(seed)
    params = init(rng, (x.shape[1],) + sizes + (1,))
    m1 = [[np.zeros_like(p) for p in layer] for layer in params]
    m2 = [[np.zeros_like(p) for p in layer] for layer in params]
    step = 0
    mass_scaled = (mass - 50.0) / 250.0
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        losses = []
        for start in range(0, len(x) - batch + 1, batch):
            idx = order[start:start + batch]
            hs = forward(params, x[idx])
            z = hs[-1][:, 0]
            p = 1 / (1 + np.exp(-z))
            t = y[idx]
            dz = (p - t) / len(idx)
            loss = -np.mean(t * np.log(p + 1e-12) + (1 - t) * np.log(1 - p + 1e-12))
            if lam > 0:
                bkg = t == 0
                dc, g = disco_gradient(mass_scaled[idx][bkg], p[bkg])
                dz[bkg] += lam * g * p[bkg] * (1 - p[bkg])
                loss += lam * dc
            losses.append(loss)
            grads = backward(params, hs, dz[:, None])
            step += 1
            for layer, gl, a1, a2 in zip(params, grads, m1, m2):
                for k in range(2):
                    a1[k] = 0.9 * a1[k] + 0.1 * gl[k]
                    a2[k] = 0.999 * a2[k] + 0.001 * gl[k] ** 2
                    layer[k] -= lr * (a1[k] / (1 - 0.9 ** step)) / (np.sqrt(a2[k] / (1 - 0.999 ** step)) + 1e-8)
        print(f"  lambda {lam:g} epoch {epoch + 1}: loss {np.mean(losses):.4f}", flush=True)
    return params


def export(params, mean, std, path, provenance):
    layers = []
    for k, (w, b) in enumerate(params):
        layers.append(tmf.layer(w, b, "relu" if k < len(params) - 1 else "linear"))
    doc = tmf.mlp_document(layers, jp.JET_FEATURES, "sigmoid", tmf.scaling(mean, 1.0 / std), provenance=provenance)
    tmf.write(path, doc)
    return doc


# ------------------------------------------------------------------ study

def flatness(pass_mask, mass, q):
    """Per 5 GeV mass bin in [50, 300) with >= 200 background jets: the
    efficiency, its binomial sigma and whether |eff - q| <= 0.03 + 2 sigma."""
    rows = []
    for k in range(50):
        lo = 50 + 5 * k
        sel = (mass >= lo) & (mass < lo + 5)
        n = int(sel.sum())
        if n < 200:
            continue
        eff = pass_mask[sel].mean()
        sigma = np.sqrt(q * (1 - q) / n)
        rows.append((lo, n, eff, sigma, abs(eff - q) <= 0.03 + 2 * sigma))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default=str(TOOLS.parent / "models" / "taggers"),
                    help="where the tagger and DDT map files go")
    ap.add_argument("--docs", default=str(TOOLS.parent / "docs"),
                    help="where taggers.md, taggers_study.json and plots/taggers_*.png go")
    ap.add_argument("--lam", type=float, default=100.0, help="DisCo lambda")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--small", action="store_true", help="quick run with 1/5 of the jets")
    ap.add_argument("--rho-bins", type=int, default=35, help="DDT map: rho bins over [-7, 0]")
    ap.add_argument("--pt-bins", type=int, default=28, help="DDT map: pT bins over [300, 1000] GeV")
    ap.add_argument("--knn", type=int, default=0, help="DDT map: k-NN smoothing with k neighbours (0: none)")
    a = ap.parse_args()
    out = pathlib.Path(a.models)
    docs = pathlib.Path(a.docs)
    out.mkdir(parents=True, exist_ok=True)
    (docs / "plots").mkdir(parents=True, exist_ok=True)
    f = 5 if a.small else 1
    t0 = time.time()
    trainset = jp.sample(40000 // f, 40000 // f, seed=101)
    mapset = jp.generate(200000 // f, False, seed=202 * 2 + 1)
    test = jp.sample(200000 // f, 20000 // f, seed=303)
    print(f"jets generated in {time.time() - t0:.0f} s: train {len(trainset['pt'])}, map {len(mapset['pt'])}, "
          f"test {len(test['pt'])}", flush=True)

    x = trainset["jet_features"].astype(np.float64)
    mean, std = x.mean(axis=0), x.std(axis=0)
    xs = (x - mean) / std
    y = trainset["label"].astype(np.float64)
    lib = tc.Library()
    models = {}
    for name, lam in (("raw", 0.0), ("disco", a.lam)):
        params = train(xs, y, trainset["mass"].astype(np.float64), lam, seed=7, epochs=a.epochs)
        path = out / f"mlp_{name}.json"
        doc = export(params, mean, std, path,
                     f"tools/tagger_train.py: numpy MLP 7-64-64-1, BCE{' + %g dCorr^2(m, score) on background' % lam if lam else ''}, "
                     f"{a.epochs} epochs, parametric jets seed 101")
        with lib.load_tagger(path) as t:
            s_test = t.score(test["jet_features"])[:, 0]
            s_map = t.score(mapset["jet_features"])[:, 0]
        # the library equals the numpy reference on the exported file
        assert np.nanmax(np.abs(s_test - ref.score(ref.parse_model(doc), test["jet_features"])[:, 0])) <= 1e-6
        models[name] = (s_test, s_map)

    bkg = test["label"] == 0
    rows, curves, flat = [], {}, {}

    def floor(rejection):
        return tm.inverse_jsd_floor(test["mass"][bkg], 1.0 / rejection)

    for name, (s_test, s_map) in models.items():
        r, j = lib.r50_jsd(s_test, test["label"], test["mass"])
        rows.append((name, "-", r, j, tm.roc_auc(s_test, test["label"]), floor(r)))
        s_bkg = s_test[bkg]
        curves[name] = {q: s_bkg > np.quantile(s_bkg, 1 - q) for q in WORKING_POINTS}
        curves[f"{name}+DDT"] = {}
        for q in WORKING_POINTS:
            cfg = lib.ddt_config(q, rho_bins=a.rho_bins, pt_bins=a.pt_bins, pt_min=300.0, pt_max=1000.0)
            if a.knn:
                cfg.smoothing, cfg.neighbours = tc.TML_DDT_SMOOTHING_KNN, a.knn
            with lib.ddt_build(s_map, mapset["mass"], mapset["pt"], None, cfg) as m:
                m.save(out / f"ddt_{name}_q{int(q * 100):02d}.json")
                d_test = m.apply(s_test, test["mass"], test["pt"])
            label = f"{name}+DDT"
            r, j = lib.r50_jsd(d_test, test["label"], test["mass"])
            rows.append((label, f"{q:.2f}", r, j, tm.roc_auc(d_test, test["label"]), floor(r)))
            flat[(label, q)] = flatness(d_test[bkg] > 0, test["mass"][bkg], q)
            curves[label][q] = d_test[bkg] > 0

    # table
    lines = ["| method | DDT q | R50 | 1/JSD | 1/JSD statistical floor | AUC |", "|---|---|---|---|---|---|"]
    for name, q, r, j, auc, fl in rows:
        lines.append(f"| {name} | {q} | {r:.2f} | {j:.1f} | {fl:.0f} | {auc:.4f} |")
    flat_lines = ["| map | q | mass bins (>= 200 jets) | within 3% + 2 sigma | max abs(eff - q) |", "|---|---|---|---|---|"]
    for (label, q), fr in flat.items():
        ok = sum(1 for r in fr if r[4])
        worst = max(abs(r[2] - q) for r in fr) if fr else float("nan")
        flat_lines.append(f"| {label} | {q:.2f} | {len(fr)} | {ok} | {worst:.4f} |")
    raw_j = [j for n, q, r, j, _, _ in rows if n == "raw"][0]
    summary = {"rows": [dict(method=n, q=q, r50=r, inverse_jsd=j, auc=auc, inverse_jsd_floor=fl)
                        for n, q, r, j, auc, fl in rows],
               "flatness": {f"{k[0]} q={k[1]}": [dict(mass_low=r[0], n=r[1], eff=r[2], sigma=r[3], ok=bool(r[4])) for r in v]
                            for k, v in flat.items()}}
    (docs / "taggers_study.json").write_text(json.dumps(summary, indent=1))
    md = ["# Decorrelated taggers on parametric jets", "",
          f"Made by `python3 tools/tagger_train.py{' --small' if a.small else ''}` (about 3 minutes; numpy training;"
          " scoring, DDT maps and metrics by libtrigml through ctypes).",
          "Jets: `tools/jets_parametric.py` (a documented parametric shower model, not Pythia).",
          "Models and maps: `models/taggers/` (MLP 7-64-64-1 over tau21, C2, D2, tau1, tau2, log pT, multiplicity;",
          f"DisCo lambda = {a.lam:g}, {a.epochs} epochs).",
          "Held-out sample: parametric jets seed 303 (background and signal); DDT maps from an independent",
          "background sample (seed 405); networks trained on seed 101. R50 and 1/JSD as `tml_metric_r50_jsd`.",
          f"DDT maps: rho in [-7, 0] with {a.rho_bins} bins, pT in [300, 1000] GeV with {a.pt_bins} bins, min_entries 20,",
          f"empty bins filled from the 5 nearest, smoothing {'k-NN, k = %d' % a.knn if a.knn else 'none'}.", "",
          "## R50 and 1/JSD", ""] + lines + ["",
          f"Raw 1/JSD = {raw_j:.2f}. The statistical floor is the median 1/JSD of random splits of the held-out",
          "background with the same passing fraction (1/R50): values near it are as flat as the sample can show.", "", "## DDT flatness on the held-out background", ""] + flat_lines + [
          "", "Flatness rule (issue 5): in every 5 GeV mass bin in [50, 300) GeV with at least 200 held-out",
          "background jets, |efficiency - q| <= 0.03 + 2 sigma (binomial sigma of that bin).", "",
          "![R50 vs 1/JSD](plots/taggers_r50_vs_jsd.png)", "",
          "![background mass after cuts](plots/taggers_background_mass.png)", "",
          "![DDT flatness](plots/taggers_flatness.png)", ""]
    (docs / "taggers.md").write_text("\n".join(md))
    print("\n".join(lines))
    print("\n".join(flat_lines))
    plots(docs / "plots", rows, curves, test, flat)
    print(f"done in {time.time() - t0:.0f} s")


def plots(out, rows, curves, test, flat):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    markers = {"raw": "o", "raw+DDT": "s", "disco": "^", "disco+DDT": "D"}
    for name, q, r, j, _, _ in rows:
        ax.scatter(r, j, marker=markers[name], s=40, label=f"{name}" + (f" (q = {q})" if q != "-" else ""))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("R50: background rejection at 50% signal efficiency")
    ax.set_ylabel("1/JSD (base 2), background mass pass vs fail")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(out / "taggers_r50_vs_jsd.png", dpi=110)
    plt.close(fig)

    bkg = test["label"] == 0
    mass = test["mass"][bkg]
    bins = np.linspace(0, 300, 61)
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    for ax, (name, masks) in zip(axes.ravel(), curves.items()):
        ax.hist(mass, bins, histtype="step", density=True, color="k", label="all background")
        for q, mask in masks.items():
            ax.hist(mass[mask], bins, histtype="step", density=True, label=f"passing, q = {q:.0%}")
        ax.set_title(name + (" (cut: out > 0 of the q map)" if "DDT" in name else " (cut: top q of background)"),
                     fontsize=9)
        ax.set_xlabel("groomed mass [GeV]")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "taggers_background_mass.png", dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    for (label, q), fr in flat.items():
        if not fr:
            continue
        lo = np.array([r[0] for r in fr]) + 2.5
        ax.errorbar(lo, [r[2] for r in fr], yerr=[r[3] for r in fr], fmt="o-" if "raw" in label else "s--",
                    ms=3, label=f"{label}, q = {q:.2f}")
        ax.axhline(q, color="grey", lw=0.5)
    ax.set_xlabel("groomed mass [GeV] (bins with >= 200 held-out background jets)")
    ax.set_ylabel("background efficiency of out > 0")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "taggers_flatness.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
