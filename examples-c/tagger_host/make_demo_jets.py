"""Writes examples-c/tagger_host/demo_jets.bin, the jet file the tagger host
and its ctest read by default: Pythia 8 + FastJet jets from the held-out
part of the committed sample (tools/data/jets_pythia.npz, part "test": QCD
seeds 303 and 305, W' seed 304), independent of the jets the networks were
trained on and the DDT maps were built from. Every --every-bkg-th
background and every --every-sig-th signal jet, background then signal.

The jets carry their jet-level features (tau21, C2, D2, tau1, tau2, log pT,
multiplicity: the raw constituent count, which the tagger files divide by
50 themselves), which is what the MLP taggers (models/taggers/mlp_*.json)
read; they carry no constituents (the compact sample keeps those for 1,000
jets only), so the file stays under 1 MB.

    python3 examples-c/tagger_host/make_demo_jets.py   # rewrite the file
"""
import argparse
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tools"))
import checkout_paths  # noqa: F401,E402  (tools subfolders on sys.path)

import jets_file  # noqa: E402
import jets_pythia  # noqa: E402


def every_nth(jets, keep):
    """The jets where `keep` is true (no constituents: offsets all zero)."""
    out = {k: v[keep] for k, v in jets.items() if k not in ("offsets", "constituent_features")}
    out["offsets"] = np.zeros(int(keep.sum()) + 1, np.uint64)
    out["constituent_features"] = jets["constituent_features"][:0]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--every-bkg", type=int, default=20, help="keep every n-th held-out background jet")
    ap.add_argument("--every-sig", type=int, default=10, help="keep every n-th held-out signal jet")
    ap.add_argument("--out", default=str(HERE / "demo_jets.bin"))
    a = ap.parse_args()
    test = jets_pythia.load(part="test")
    label = test["label"]
    rank = np.zeros(len(label), np.int64)
    for lab in (0, 1):
        rank[label == lab] = np.arange(int((label == lab).sum()))
    keep = np.where(label == 0, rank % a.every_bkg == 0, rank % a.every_sig == 0)
    order = np.argsort(label[keep], kind="stable")  # background first
    jets = every_nth(test, keep)
    jets = {k: (v[order] if k not in ("offsets", "constituent_features") else v) for k, v in jets.items()}
    jets_file.write_jets(a.out, jets)
    n_b = int((jets["label"] == 0).sum())
    print(f"{a.out}: {len(jets['pt'])} jets ({n_b} background, {len(jets['pt']) - n_b} signal), "
          f"{pathlib.Path(a.out).stat().st_size} bytes")


if __name__ == "__main__":
    main()
