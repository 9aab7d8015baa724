"""Writes examples-c/tagger_host/demo_jets.bin, the jet file the tagger host
and its ctest read by default: parametric jets (tools/jets_parametric.py,
seed 909, independent of the training seed 101, the map seed 405 and the
held-out seed 303), background then signal.

To keep the committed file small (under 1 MB), every jet keeps only its
--keep hardest constituents (the generator orders them by pT, descending).
The jet features (tau21, C2, D2, tau1, tau2, log pT, multiplicity) are
computed by the generator from all of a jet's particles before this cut, so
an MLP tagger over jet features (models/taggers/mlp_*.json) scores these
jets exactly as it would the full ones; a Deep Sets tagger sees only the
kept constituents.

    python3 examples-c/tagger_host/make_demo_jets.py   # rewrite the file
"""
import argparse
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tools"))

import jets_file  # noqa: E402
import jets_parametric as jp  # noqa: E402


def cap_constituents(jets, keep):
    off = jets["offsets"].astype(np.int64)
    counts = np.minimum(np.diff(off), keep)
    rows = np.concatenate([np.arange(off[j], off[j] + counts[j]) for j in range(len(counts))])
    out = dict(jets)
    out["constituent_features"] = jets["constituent_features"][rows]
    out["offsets"] = np.concatenate([[0], np.cumsum(counts)]).astype(np.uint64)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--background", type=int, default=13000, help="background jets generated (before the pT window)")
    ap.add_argument("--signal", type=int, default=1500, help="signal jets generated (before the pT window)")
    ap.add_argument("--keep", type=int, default=2, help="hardest constituents kept per jet")
    ap.add_argument("--seed", type=int, default=909)
    ap.add_argument("--out", default=str(HERE / "demo_jets.bin"))
    a = ap.parse_args()
    jets = cap_constituents(jp.sample(a.background, a.signal, seed=a.seed), a.keep)
    jets_file.write_jets(a.out, jets)
    n_b = int((jets["label"] == 0).sum())
    print(f"{a.out}: {len(jets['pt'])} jets ({n_b} background, {len(jets['pt']) - n_b} signal), "
          f"{len(jets['constituent_features'])} constituents, {pathlib.Path(a.out).stat().st_size} bytes")


if __name__ == "__main__":
    main()
