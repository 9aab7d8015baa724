"""Writing TrigML tagger model files (docs/formats/tagger_model.md).

Format version 2 (what these writers produce) lists each input as an object
that names the physics quantity the caller passes and carries the whole
transform the network expects:
    x' = (float32(x / divide_by) - offset) * scale
so a host passes the multiplicity, not multiplicity / 50. Version-1 files
(names plus separate `*_scaling` members, inputs already normalised) still
load unchanged; `upgrade_v1` turns one into version 2.
"""
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


def inputs(names, offset=None, scale=None, divide_by=None):
    """The input list of a version-2 file. `divide_by` maps a name to the
    normalisation the training sample applied in float32 (e.g.
    {"multiplicity": 50}); offset and scale standardise the normalised value."""
    divide_by = divide_by or {}
    unknown = sorted(set(divide_by) - set(names))
    if unknown:
        raise ValueError(f"divide_by names {unknown}, which are not inputs ({list(names)})")
    out = []
    for k, name in enumerate(names):
        entry = {"name": name}
        if name in divide_by:
            entry["divide_by"] = float(np.float32(divide_by[name]))
        if offset is not None:
            entry["offset"] = float(offset[k])
        if scale is not None:
            entry["scale"] = float(scale[k])
        out.append(entry)
    return out


def normalise(features, names, divide_by):
    """What the network sees before standardisation: the raw physics
    columns of `features` (float32, columns in `names` order) divided in
    float32 by their divide_by, exactly as the library does."""
    out = np.array(features, np.float32, copy=True)
    for name, d in (divide_by or {}).items():
        k = list(names).index(name)
        out[:, k] = out[:, k] / np.float32(d)
    return out


def mlp_document(layers, jet_inputs, output="sigmoid", classes=None, provenance=""):
    d = {"format": "trigml.tagger", "format_version": 2, "kind": "mlp", "provenance": provenance,
         "output": output, "jet_features": list(jet_inputs)}
    if classes is not None:
        d["classes"] = list(classes)
    d["layers"] = layers
    return d


def deep_sets_document(phi, f, constituent_inputs, jet_inputs=(), output="sigmoid", classes=None, provenance=""):
    d = {"format": "trigml.tagger", "format_version": 2, "kind": "deep_sets", "provenance": provenance,
         "output": output, "jet_features": list(jet_inputs), "constituent_features": list(constituent_inputs)}
    if classes is not None:
        d["classes"] = list(classes)
    d["phi"] = phi
    d["f"] = f
    return d


def upgrade_v1(doc, divide_by=None):
    """A version-1 document as version 2: each `*_scaling` folded into the
    input objects, and `divide_by` ({name: d}, jet or constituent inputs)
    added for the inputs the training sample had normalised, so the file
    then takes the raw physics quantity. Scores on raw inputs equal the
    version-1 scores on the normalised inputs bit for bit."""
    assert doc["format"] == "trigml.tagger" and doc["format_version"] == 1
    divide_by = dict(divide_by or {})
    out = {k: v for k, v in doc.items() if k not in ("jet_scaling", "constituent_scaling")}
    out["format_version"] = 2
    for key in ("jet_features", "constituent_features"):
        if key not in doc:
            continue
        names = doc[key]
        scaling = doc.get(key.replace("features", "scaling"))
        mine = {n: divide_by.pop(n) for n in list(divide_by) if n in names}
        out[key] = inputs(names, scaling and scaling["offset"], scaling and scaling["scale"], mine)
    if divide_by:
        raise ValueError(f"divide_by names {sorted(divide_by)}, which are not inputs of the model")
    order = ["format", "format_version", "kind", "provenance", "output", "classes", "jet_features",
             "constituent_features", "layers", "phi", "f"]
    return {k: out[k] for k in order if k in out}


def write(path, document):
    with open(path, "w") as fh:
        json.dump(document, fh, indent=1)
        fh.write("\n")
