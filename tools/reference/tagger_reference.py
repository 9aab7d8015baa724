"""Independent numpy reference of the tagger model file (docs/formats/tagger_model.md) and of the DL1-style log-ratio discriminant.

Written from the documented format, not from the Swift code: float64
throughout, weights rounded to float32 as the file format says, outputs
rounded to float32 once.
"""
import json

import numpy as np

F32 = np.float32


def load_model(path):
    with open(path) as f:
        return parse_model(json.load(f))


def _layers(layer_list):
    out = []
    for layer in layer_list:
        act = layer["activation"]
        alpha = layer.get("alpha", {"leaky_relu": 0.01, "elu": 1.0}.get(act, 0.0))
        w = np.asarray(layer["weights"], dtype=F32).astype(np.float64)  # [in][out]
        b = np.asarray(layer["bias"], dtype=F32).astype(np.float64)
        assert w.shape == (layer["inputs"], layer["outputs"]) and b.shape == (layer["outputs"],)
        out.append((w, b, act, float(alpha)))
    return out


def _scaling(doc, key, count):
    """Version 1: (divide_by, offset, scale) from the optional `*_scaling`
    member; inputs arrive normalised, so divide_by is 1."""
    s = doc.get(key)
    if s is None:
        return np.ones(count, F32), np.zeros(count), np.ones(count)
    return np.ones(count, F32), np.asarray(s["offset"], np.float64), np.asarray(s["scale"], np.float64)


def _inputs(entries):
    """Version 2: names and (divide_by, offset, scale) from the input objects."""
    names = [e["name"] for e in entries]
    divide_by = np.asarray([e.get("divide_by", 1.0) for e in entries], F32)
    offset = np.asarray([e.get("offset", 0.0) for e in entries], np.float64)
    scale = np.asarray([e.get("scale", 1.0) for e in entries], np.float64)
    return names, (divide_by, offset, scale)


def parse_model(doc):
    assert doc["format"] == "trigml.tagger" and doc["format_version"] in (1, 2)
    m = {"kind": doc["kind"], "output": doc["output"]}
    groups = [("jet_features", "jet_scaling")]
    if m["kind"] != "mlp":
        groups.append(("constituent_features", "constituent_scaling"))
    for key, scaling_key in groups:
        if doc["format_version"] == 1:
            m[key] = list(doc[key])
            m[scaling_key] = _scaling(doc, scaling_key, len(m[key]))
        else:
            m[key], m[scaling_key] = _inputs(doc[key])
    if m["kind"] == "mlp":
        m["network"] = _layers(doc["layers"])
    else:
        m["phi"] = _layers(doc["phi"])
        m["network"] = _layers(doc["f"])
    return m


def transform(x, scaling):
    """(float32(x / divide_by) - offset) * scale: the division in float32
    (the normalisation the sample was stored with), the rest in double."""
    divide_by, offset, scale = scaling
    with np.errstate(invalid="ignore", over="ignore"):
        normalised = (np.asarray(x, F32) / divide_by).astype(F32)
    return (normalised.astype(np.float64) - offset) * scale


def activate(z, act, alpha):
    if act == "linear":
        return z
    if act == "relu":
        return np.maximum(z, 0.0)
    if act == "leaky_relu":
        return np.where(z < 0, alpha * z, z)
    if act == "elu":
        return np.where(z < 0, alpha * np.expm1(np.minimum(z, 0.0)), z)
    if act == "tanh":
        return np.tanh(z)
    raise ValueError(act)


def run(layers, x):
    h = x
    for w, b, act, alpha in layers:
        h = activate(h @ w + b, act, alpha)
    return h


def head(logits, kind):
    if kind == "sigmoid":
        z = logits[:, 0]
        e = np.exp(-np.abs(z))
        p = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return p[:, None]
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def score(model, jet_features, offsets=None, constituent_features=None):
    """Probabilities [n_jets, outputs] as float32. jet_features [n, J] float32;
    for Deep Sets, offsets [n+1] and constituent_features [N, C] float32."""
    n = len(offsets) - 1 if model["kind"] == "deep_sets" else len(jet_features)
    jf = np.asarray(jet_features, F32).reshape(n, len(model["jet_features"]))
    x = transform(jf, model["jet_scaling"])
    bad = ~np.all(np.isfinite(x), axis=1)
    if model["kind"] == "deep_sets":
        offsets = np.asarray(offsets, np.int64)
        cf = np.asarray(constituent_features, F32).reshape(-1, len(model["constituent_features"]))
        start, stop = offsets[0], offsets[-1]
        c = transform(cf[start:stop], model["constituent_scaling"])
        owner = np.repeat(np.arange(n), np.diff(offsets))
        phi = run(model["phi"], np.nan_to_num(c, nan=0.0, posinf=0.0, neginf=0.0))
        pooled = np.zeros((n, phi.shape[1]))
        np.add.at(pooled, owner, phi)
        cbad = ~np.all(np.isfinite(c), axis=1)
        bad |= np.bincount(owner[cbad], minlength=n) > 0
        x = np.concatenate([pooled, x], axis=1)
    probs = head(run(model["network"], np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)), model["output"])
    probs[bad] = np.nan
    return probs.astype(F32)


def log_ratio(prob, signal_class, fractions, eps=1e-10):
    """D = ln((p_sig + eps) / (sum_{k != sig} f_k p_k + eps)) per row, float32."""
    p = np.asarray(prob, F32).astype(np.float64)
    f = np.asarray(fractions, F32).astype(np.float64).copy()
    f[signal_class] = 0.0
    den = p @ f + eps
    ratio = (p[:, signal_class] + eps) / den
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(np.all(np.isfinite(p), axis=1) & (ratio > 0), np.log(ratio), np.nan)
    return d.astype(F32)
