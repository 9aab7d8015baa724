#!/usr/bin/env python3
"""A placeholder T5 model (random weights, fixed seed) in the model file format.

Only for bootstrapping before trained weights exist: its provenance says so.
usage: python3 tools/t5/make_placeholder_model.py {lst-v2|lst-v1} OUT.json
"""
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: F401,E402  (tools subfolders and python/ on sys.path)
from t5_model_file import write_model

INPUTS = {"lst-v2": 23, "lst-v1": 38}


def main() -> None:
    feature_set, out = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(20261122)
    sizes = [INPUTS[feature_set], 32, 32, 1]
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        w = rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_in, n_out)).astype(np.float32)
        b = rng.normal(0.0, 0.1, size=n_out).astype(np.float32)
        layers.append((w, b))
    # LST v2's 98%-retention table (cms-sw Common.h kWp) as a stand-in.
    wp = {
        "kind": "pt_eta_table",
        "pt_edges_gev": [5.0],
        "eta_bin_width": 0.25,
        "eta_bins": 10,
        "cuts": [[0.4493, 0.4939, 0.5715, 0.6488, 0.5709, 0.5938, 0.7164, 0.7565, 0.8103, 0.8593],
                 [0.4488, 0.4448, 0.5067, 0.5929, 0.4836, 0.4112, 0.4968, 0.4403, 0.5597, 0.5067]],
    }
    if feature_set == "lst-v1":
        wp = {"kind": "single", "cut": 0.6177366}
    write_model(out, feature_set, layers, wp,
                provenance="PLACEHOLDER: random weights (numpy seed 20261122), not trained; "
                           "working point copied from LST; made by tools/t5/make_placeholder_model.py")


if __name__ == "__main__":
    main()
