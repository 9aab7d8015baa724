"""Read and write the T5 model file (format documented in docs/formats/t5_model.md).

Weights are written as the exact decimal value of each float32 (Python's
shortest repr of the float64 that equals it), so the library's float32
parse reproduces the trained numbers bit for bit.
"""
import json

import numpy as np


def _floats(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32).ravel()]


def write_model(path, feature_set, layers, working_point, provenance):
    """layers: list of (W[in][out], b[out]) float32 arrays; hidden ReLU, sigmoid head."""
    out = {
        "format": "trigml.t5-model",
        "format_version": 1,
        "feature_set": feature_set,
        "provenance": provenance,
        "layers": [],
        "working_point": working_point,
    }
    for i, (w, b) in enumerate(layers):
        w = np.asarray(w, dtype=np.float32)
        out["layers"].append({
            "inputs": int(w.shape[0]),
            "outputs": int(w.shape[1]),
            "activation": "sigmoid" if i == len(layers) - 1 else "relu",
            "weights": [_floats(row) for row in w],
            "bias": _floats(b),
        })
    text = json.dumps(out, indent=1)
    with open(path, "w") as f:
        f.write(text + "\n")


def read_model(path):
    """Returns (feature_set, [(W float32 [in][out], b float32)], working_point dict, provenance)."""
    with open(path) as f:
        m = json.load(f)
    layers = [(np.array(l["weights"], dtype=np.float32).reshape(l["inputs"], l["outputs"]),
               np.array(l["bias"], dtype=np.float32)) for l in m["layers"]]
    return m["feature_set"], layers, m["working_point"], m.get("provenance", "")
