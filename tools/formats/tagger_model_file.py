"""Writing TrigML tagger model files (docs/formats/tagger_model.md."""
import json

import numpy as np


def f32_list(a):
    """float32 values as decimals that read back to the same float32."""
    return [float(v) for v in np.asarray(a, np.float32).ravel()]


def layer(weights, bias, activation, alpha=None):
    """weights [inputs][outputs] (PyTorch Linear.weight transposed)."""
    w = np.asarray(weights, np.float32)
    d = {"inputs": int(w.shape[0]), "outputs": int(w.shape[1]), "activation": activation,
         "weights": [f32_list(row) for row in w], "bias": f32_list(bias)}
    if alpha is not None:
        d["alpha"] = float(alpha)
    return d


def scaling(offset, scale):
    return {"offset": [float(v) for v in offset], "scale": [float(v) for v in scale]}


def mlp_document(layers, jet_features, output="sigmoid", jet_scaling=None, classes=None, provenance=""):
    d = {"format": "trigml.tagger", "format_version": 1, "kind": "mlp", "provenance": provenance,
         "output": output, "jet_features": list(jet_features)}
    if jet_scaling is not None:
        d["jet_scaling"] = jet_scaling
    if classes is not None:
        d["classes"] = list(classes)
    d["layers"] = layers
    return d


def deep_sets_document(phi, f, constituent_features, jet_features=(), output="sigmoid",
                       constituent_scaling=None, jet_scaling=None, classes=None, provenance=""):
    d = {"format": "trigml.tagger", "format_version": 1, "kind": "deep_sets", "provenance": provenance,
         "output": output, "jet_features": list(jet_features), "constituent_features": list(constituent_features)}
    if jet_scaling is not None:
        d["jet_scaling"] = jet_scaling
    if constituent_scaling is not None:
        d["constituent_scaling"] = constituent_scaling
    if classes is not None:
        d["classes"] = list(classes)
    d["phi"] = phi
    d["f"] = f
    return d


def write(path, document):
    with open(path, "w") as fh:
        json.dump(document, fh, indent=1)
        fh.write("\n")
