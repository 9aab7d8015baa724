"""Turn-on and rate plots on the toy EMTF sample: the BDT LUT (mode 15) vs a
"legacy" analytic pT from dPhi12 (issue 4 item 7).

    python3 tools/plots/lut_plots.py [--forest /tmp/emtf_mode15.json]   # trains one if missing

Both algorithms see the same independent toy tracks (tools/lut/lut_toy.py, seed
different from training). BDT LUT pT = 0.5 (word - 1) from the library's
words (emtf2017 conversion, the GMT decoding of cmssw
L1Trigger/L1TMuonEndCap/src/PtAssignmentEngineAux.cc). Legacy pT =
A / |dPhi12| (A fitted as the median of pT |dPhi12|), scaled so that its
plateau efficiency (true pT 40-100 GeV) at its 22 GeV cut equals the BDT's.
Rate: tracks weighted to a falling spectrum dN/dpT ~ pT^-4 (the sample is
flat in 1/pT), relative units. Writes docs/plots/lut_turn_on.png and
docs/plots/lut_rate.png and prints the rate ratio above 22 GeV.
"""
import argparse
import os
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: F401,E402  (tools subfolders and python/ on sys.path)
import lut_toy  # noqa: E402
import trigml  # noqa: E402

REPO = str(checkout_paths.ROOT)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--forest", default="/tmp/emtf_mode15.json")
    ap.add_argument("--events", type=int, default=400000)
    a = ap.parse_args()
    if not os.path.exists(a.forest):
        lut_toy.train(15, 400, 5, 300000, 2017, a.forest)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = lut_toy.toy_tracks(a.events, seed=777)
    addr = lut_toy.encode_mode15(t)
    s = trigml.LUTScheme.preset("emtf2017-mode15")
    words, _ = trigml.evaluate_lut(s, trigml.Forest.load(a.forest), trigml.pt_conversion("emtf2017"), addr)
    pt_bdt = 0.5 * (words.astype(np.float64) - 1)
    true = t["pt"]
    d12 = np.maximum(np.abs(t["d12"]), 0.5)
    A = np.median(true * d12)
    raw_legacy = A / d12
    thr = 22.0
    plateau = (true > 40) & (true < 100)
    eff_bdt = np.mean(pt_bdt[plateau] >= thr)
    # scale legacy so that its plateau efficiency at 22 GeV equals the BDT's
    scales = np.linspace(0.5, 5, 2000)
    effs = np.array([np.mean(raw_legacy[plateau] * k >= thr) for k in scales])
    k = scales[np.argmin(np.abs(effs - eff_bdt))]
    pt_legacy = raw_legacy * k
    w = true ** -2.0  # flat in 1/pT (density ~ pT^-2) reweighted to ~ pT^-4

    os.makedirs(os.path.join(REPO, "docs", "plots"), exist_ok=True)
    bins = np.linspace(2, 80, 40)
    centers = 0.5 * (bins[1:] + bins[:-1])
    idx = np.digitize(true, bins) - 1
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, pt in (("BDT LUT (mode 15)", pt_bdt), ("legacy dPhi12", pt_legacy)):
        e = [np.mean(pt[idx == i] >= thr) if np.any(idx == i) else np.nan for i in range(len(centers))]
        ax.plot(centers, e, marker="o", ms=3, label=name)
    ax.axvline(thr, color="grey", ls=":")
    ax.set_xlabel("true pT [GeV]")
    ax.set_ylabel(f"efficiency, L1 pT >= {thr:.0f} GeV")
    ax.set_title("Toy EMTF mode 15: turn-on at 22 GeV")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(REPO, "docs", "plots", "lut_turn_on.png"), dpi=120)

    ths = np.arange(4, 60, 2.0)
    fig, ax = plt.subplots(figsize=(6, 4))
    rates = {}
    for name, pt in (("BDT LUT (mode 15)", pt_bdt), ("legacy dPhi12", pt_legacy)):
        r = np.array([np.sum(w[pt >= x]) for x in ths]) / np.sum(w)
        rates[name] = r
        ax.semilogy(ths, r, marker="o", ms=3, label=name)
    ax.set_xlabel("L1 pT threshold [GeV]")
    ax.set_ylabel("relative rate (falling spectrum)")
    ax.set_title("Toy EMTF mode 15: rate vs threshold")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(REPO, "docs", "plots", "lut_rate.png"), dpi=120)
    i22 = int(np.where(ths == 22)[0][0])
    ratio = rates["legacy dPhi12"][i22] / rates["BDT LUT (mode 15)"][i22]
    print(f"plateau efficiency at 22 GeV: BDT {eff_bdt:.3f}, legacy {np.mean(pt_legacy[plateau] >= thr):.3f}; "
          f"rate above 22 GeV legacy/BDT = {ratio:.2f}")


if __name__ == "__main__":
    main()
