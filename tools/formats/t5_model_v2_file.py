"""Write and read T5 model files of format version 2 (docs/formats/t5_model.md,
"Version 2"): host-column extra inputs, standardisation, a softmax head with
classes and a score definition, named working points, or an embedding head.

Numbers are written as the exact decimal of each float32 (as t5_model_file.py
does for version 1), so the library's float32 parse gives the trained values.
"""
import json

import numpy as np

FORMAT = "trigml.t5-model"


def f32_list(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32).ravel()]


def dense_layer(weights, bias, activation):
    """weights [inputs][outputs] (LST's wgtT, PyTorch's Linear.weight transposed)."""
    w = np.asarray(weights, dtype=np.float32)
    return {"inputs": int(w.shape[0]), "outputs": int(w.shape[1]), "activation": activation,
            "weights": [f32_list(row) for row in w], "bias": f32_list(bias)}


def extra_input(source, column, anchor=None, t3=None):
    """One extra input: source "md" (with anchor 1-5), "t3" (with t3 "inner"/"outer") or "t5"."""
    entry = {"from": source}
    if source == "md":
        entry["anchor"] = int(anchor)
    elif source == "t3":
        entry["t3"] = t3
    elif source != "t5":
        raise ValueError(f"extra input source {source!r}: expected 'md', 't3' or 't5'")
    entry["column"] = int(column)
    return entry


def document(feature_set, layers, provenance, extra_inputs=(), standardize=None, classes=None,
             score=None, working_points=(), embedding=False):
    """A version-2 model document.

    layers: [(W, b, activation)]; standardize: (mean, std) over every input or None;
    classes/score/working_points for a softmax (or sigmoid) head; embedding=True
    marks the linear last layer as an embedding (then no classes/score/working points)."""
    d = {"format": FORMAT, "format_version": 2, "feature_set": feature_set, "provenance": provenance}
    if extra_inputs:
        d["extra_inputs"] = list(extra_inputs)
    if standardize is not None:
        mean, std = standardize
        d["standardize"] = {"mean": f32_list(mean), "std": f32_list(std)}
    d["layers"] = [dense_layer(w, b, act) for w, b, act in layers]
    if embedding:
        if classes or score or working_points:
            raise ValueError("an embedding model has no classes, score or working points")
        d["layers"][-1]["output"] = "embedding"
        return d
    if classes is not None:
        d["classes"] = list(classes)
    if score is not None:
        d["score"] = dict(score)
    if working_points:
        d["working_points"] = [dict(wp) for wp in working_points]
    return d


def write(path, doc):
    with open(path, "w") as f:
        f.write(json.dumps(doc, indent=1) + "\n")


def read(path):
    """The model document as a dict with numpy layers: keys feature_set, extra_inputs,
    mean/std (or None), layers [(W float32, b float32, activation)], classes, score,
    working_points, embedding_dim (0 unless an embedding model)."""
    with open(path) as f:
        d = json.load(f)
    if d.get("format") != FORMAT:
        raise ValueError(f"{path}: format {d.get('format')!r}, expected {FORMAT!r}")
    layers = [(np.array(l["weights"], dtype=np.float32).reshape(l["inputs"], l["outputs"]),
               np.array(l["bias"], dtype=np.float32), l["activation"]) for l in d["layers"]]
    std = d.get("standardize")
    wps = d.get("working_points")
    if wps is None and "working_point" in d:
        wps = [dict(d["working_point"], name=d["working_point"].get("name", "default"))]
    embedding = d["layers"][-1].get("output") == "embedding"
    return dict(feature_set=d["feature_set"], extra_inputs=d.get("extra_inputs", []),
                mean=None if std is None else np.array(std["mean"], dtype=np.float32),
                std=None if std is None else np.array(std["std"], dtype=np.float32),
                layers=layers, classes=d.get("classes"), score=d.get("score"),
                working_points=wps or [], embedding_dim=layers[-1][0].shape[1] if embedding else 0,
                format_version=d["format_version"])
