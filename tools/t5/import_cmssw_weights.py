#!/usr/bin/env python3
"""Build models/lst_v2_cmssw.json from CMSSW's LST v2 T5 DNN headers.

The numbers carry over from two cms-sw/cmssw files (no code does):
  RecoTracker/LSTCore/src/alpaka/T5NeuralNetworkWeights.h @ 9765a548
    bias_layer1[32], wgtT_layer1[23][32], bias_layer2[32], wgtT_layer2[32][32],
    bias_output_layer[1], wgtT_output_layer[32][1]  (wgtT = PyTorch's weight transposed,
    [in][out], the model file's layout)
  RecoTracker/LSTCore/interface/alpaka/Common.h @ b6e7ac50, namespace dnn::t5dnn:
    kWp[2][10], the 98%-retention working point (pT bin: inner-T3 pT > 5 GeV;
    |eta| bins of kEtaSize = 0.25, kEtaBins = 10)
Each decimal literal ("-0.7420582f") is read as C reads a float literal: rounded
to the nearest float32 once.

usage: python3 tools/t5/import_cmssw_weights.py T5NeuralNetworkWeights.h Common.h [OUT.json]
(get the two files at the commits above from github.com/cms-sw/cmssw; OUT defaults to
models/lst_v2_cmssw.json)
"""
import pathlib
import re
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: F401,E402  (tools subfolders on sys.path)
from t5_model_file import write_model  # noqa: E402

WEIGHTS_PATH = "RecoTracker/LSTCore/src/alpaka/T5NeuralNetworkWeights.h"
WEIGHTS_COMMIT = "9765a548a52d10b15fd3dfe0035fc23f01292cfd"
COMMON_PATH = "RecoTracker/LSTCore/interface/alpaka/Common.h"
COMMON_COMMIT = "b6e7ac50bfd26b4048262de504f6675715692c4c"
SHAPES = {"bias_layer1": (32,), "wgtT_layer1": (23, 32), "bias_layer2": (32,), "wgtT_layer2": (32, 32),
          "bias_output_layer": (1,), "wgtT_output_layer": (32, 1)}
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def float_array(text, name, shape, start=0):
    """The float32 values of `float name[...] = { ... };` found at or after `start`."""
    match = re.search(r"float\s+" + re.escape(name) + r"\s*(\[[^=]*\])\s*=\s*\{", text[start:])
    if not match:
        raise ValueError(f"no array '{name}' in the header")
    body_start = start + match.end()
    depth, pos = 1, body_start
    while depth:
        if pos >= len(text):
            raise ValueError(f"array '{name}' is not closed")
        depth += {"{": 1, "}": -1}.get(text[pos], 0)
        pos += 1
    values = [np.float32(v) for v in NUMBER.findall(text[body_start:pos - 1])]
    if len(values) != int(np.prod(shape)):
        raise ValueError(f"array '{name}' has {len(values)} numbers, expected {int(np.prod(shape))} for {shape}")
    return np.array(values, dtype=np.float32).reshape(shape)


def network(weights_text):
    a = {name: float_array(weights_text, name, shape) for name, shape in SHAPES.items()}
    return [(a["wgtT_layer1"], a["bias_layer1"]), (a["wgtT_layer2"], a["bias_layer2"]),
            (a["wgtT_output_layer"], a["bias_output_layer"])]


def working_point(common_text):
    namespace = common_text.find("namespace t5dnn")
    if namespace < 0:
        raise ValueError("no 'namespace t5dnn' in Common.h")
    cuts = float_array(common_text, "kWp", (2, 10), start=namespace)
    return {"kind": "pt_eta_table", "pt_edges_gev": [5.0], "eta_bin_width": 0.25, "eta_bins": 10,
            "cuts": [[float(v) for v in row] for row in cuts]}


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    weights_text = pathlib.Path(sys.argv[1]).read_text()
    common_text = pathlib.Path(sys.argv[2]).read_text()
    out = pathlib.Path(sys.argv[3]) if len(sys.argv) == 4 else checkout_paths.ROOT / "models" / "lst_v2_cmssw.json"
    provenance = (
        f"LST's published v2 T5 DNN (23-32-32-1, ReLU, sigmoid), numbers from cms-sw/cmssw "
        f"{WEIGHTS_PATH} @ {WEIGHTS_COMMIT[:8]} (bias_layer1, wgtT_layer1, bias_layer2, wgtT_layer2, "
        f"bias_output_layer, wgtT_output_layer); working point kWp (98% retention of true T5s per "
        f"pT x |eta| bin) from {COMMON_PATH} @ {COMMON_COMMIT[:8]}, namespace dnn::t5dnn. Written by "
        f"tools/t5/import_cmssw_weights.py; the library scores it as LST's CPU backend does "
        f"(docs/numerics.md).")
    write_model(out, "lst-v2", network(weights_text), working_point(common_text), provenance)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
