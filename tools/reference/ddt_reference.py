"""Independent numpy reference of DDT maps (include/trigml.h tml_ddt_*,
docs/formats/ddt_map.md: the weighted quantile, the binning, the
k-nearest-filled-bins fill and smoothing, bilinear lookup and apply.

Written from the documented definitions. The quantile uses the same
operations in the same order as the definition, so it is exactly equal to
the library's, bit for bit.
"""
import json
import math

import numpy as np

F32 = np.float32


def weighted_quantile(scores, weights, level):
    """Scores sorted ascending (ties in input order), weights > 0 (float64).

    p_i = (C_{i-1} + w_i/2) / W with C the running sum in order and W = C_n;
    linear interpolation through (p_i, s_i), clamped to s_1 / s_n."""
    s = np.asarray(scores, np.float64)
    w = np.asarray(weights, np.float64)
    n = len(s)
    if n == 0:
        return None
    c = np.cumsum(w)  # sequential running sum
    total = c[-1]
    if not total > 0:
        return None
    before = np.concatenate([[0.0], c[:-1]])
    p = (before + w / 2) / total
    t = float(level)
    if not t > p[0]:
        return float(s[0])
    if t >= p[-1]:
        return float(s[-1])
    i = int(np.searchsorted(p, t, side="right")) - 1  # largest i with p_i <= t
    return float(s[i] + (s[i + 1] - s[i]) * ((t - p[i]) / (p[i + 1] - p[i])))


def quantile_of(score, weight, indices, level):
    """Quantile of the jets `indices` (input order), zero weights dropped."""
    idx = np.asarray(indices, np.int64)
    sc = np.asarray(score, F32)[idx]
    w = np.ones(len(idx)) if weight is None else np.asarray(weight, F32)[idx].astype(np.float64)
    keep = w > 0
    idx, sc, w = idx[keep], sc[keep], w[keep]
    order = np.lexsort((idx, sc))  # by score, then input index
    return weighted_quantile(sc[order].astype(np.float64), w[order], level)


def rho(mass, pt):
    return 2.0 * np.log(np.asarray(mass, F32).astype(np.float64) / np.asarray(pt, F32).astype(np.float64))


def axis_coordinate(x, lo, hi, bins):
    return ((np.asarray(x, np.float64) - lo) * bins) / (hi - lo)


def axis_bin(x, lo, hi, bins):
    a = axis_coordinate(x, lo, hi, bins)
    with np.errstate(invalid="ignore"):
        inside = (a >= 0) & (a < bins)
    b = np.where(inside, np.floor(np.where(inside, a, 0)).astype(np.int64), -1)
    return np.minimum(b, bins - 1)


def default_config(q):
    return {"background_efficiency": q, "rho_min": -7.0, "rho_max": 0.0, "rho_bins": 35,
            "pt_min": 200.0, "pt_max": 1000.0, "pt_bins": 8, "min_entries": 20,
            "direction": "higher_passes", "empty_bins": "fill", "smoothing": "none", "neighbours": 5,
            "score_transform": "identity"}


P_LOWEST, P_HIGHEST = 2.0 ** -149, 1.0 - 2.0 ** -24


def transform(score, cfg):
    """The map's score transform (docs/formats/ddt_map.md): identity, or
    the logit ln p - ln(1 - p) in double of p clamped to [2^-149, 1 - 2^-24],
    rounded to float32. Scores outside [0, 1] are the caller's error; here
    they are simply clamped (the library refuses them)."""
    s = np.asarray(score, F32)
    if cfg.get("score_transform", "identity") == "identity":
        return s
    p = np.clip(s.astype(np.float64), P_LOWEST, P_HIGHEST)
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(s), np.nan, np.log(p) - np.log1p(-p)).astype(F32)


def neighbour_mean(values, filled, i, j, k):
    """Weighted mean of the k nearest filled bins of (i, j): distance in
    bins, weight 1/(1+d), order (d^2, rho bin, pT bin), summed in order."""
    nr, npt = filled.shape
    cand = []
    for a in range(nr):
        for b in range(npt):
            if filled[a, b]:
                cand.append(((a - i) ** 2 + (b - j) ** 2, a, b))
    cand.sort()
    num = den = 0.0
    for d2, a, b in cand[:k]:
        w = 1.0 / (1.0 + math.sqrt(d2))
        num += w * values[a, b]
        den += w
    return num / den


def build(score, mass, pt, weight, cfg):
    """Returns dict(values [rho_bins, pt_bins], quantiles (NaN where not
    filled), entries, filled)."""
    score = transform(score, cfg)
    q = cfg["background_efficiency"]
    level = 1.0 - q if cfg["direction"] == "higher_passes" else q
    nr, npt = cfg["rho_bins"], cfg["pt_bins"]
    w = np.ones(len(score)) if weight is None else np.asarray(weight, F32).astype(np.float64)
    with np.errstate(divide="ignore"):
        r = rho(mass, pt)
    ib = axis_bin(r, cfg["rho_min"], cfg["rho_max"], nr)
    jb = axis_bin(np.asarray(pt, F32), cfg["pt_min"], cfg["pt_max"], npt)
    use = (ib >= 0) & (jb >= 0) & (w > 0)
    quantiles = np.full((nr, npt), np.nan)
    entries = np.zeros((nr, npt), np.int64)
    filled = np.zeros((nr, npt), bool)
    for i in range(nr):
        for j in range(npt):
            idx = np.nonzero(use & (ib == i) & (jb == j))[0]
            entries[i, j] = len(idx)
            if len(idx) >= cfg["min_entries"]:
                x = quantile_of(score, weight, idx, level)
                if x is not None:
                    quantiles[i, j] = x
                    filled[i, j] = True
    values = np.where(filled, quantiles, 0.0)
    out = values.copy()
    for i in range(nr):
        for j in range(npt):
            if cfg["smoothing"] == "knn" or not filled[i, j]:
                out[i, j] = neighbour_mean(values, filled, i, j, cfg["neighbours"])
    return {"values": out, "quantiles": quantiles, "entries": entries, "filled": filled}


def interpolation(x, lo, hi, bins):
    if bins == 1:
        z = np.zeros(np.shape(x), np.int64)
        return z, z, np.zeros(np.shape(x))
    u = axis_coordinate(x, lo, hi, bins) - 0.5
    u = np.where(u > 0, u, 0.0)
    u = np.minimum(u, bins - 1.0)
    low = np.minimum(np.floor(u).astype(np.int64), bins - 2)
    return low, low + 1, u - low


def lookup(values, cfg, rho_values, pt_values):
    i0, i1, b = interpolation(rho_values, cfg["rho_min"], cfg["rho_max"], cfg["rho_bins"])
    j0, j1, c = interpolation(pt_values, cfg["pt_min"], cfg["pt_max"], cfg["pt_bins"])
    low = (1 - c) * values[i0, j0] + c * values[i0, j1]
    high = (1 - c) * values[i1, j0] + c * values[i1, j1]
    return (1 - b) * low + b * high


def apply(values, cfg, score, mass, pt):
    s = transform(score, cfg).astype(np.float64)
    m = np.asarray(mass, F32).astype(np.float64)
    p = np.asarray(pt, F32).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = np.isfinite(s) & np.isfinite(m) & np.isfinite(p) & (m >= 0) & (p > 0)
        r = np.where(ok, rho(np.where(ok, m, 1), np.where(ok, p, 1)), 0.0)
    x = lookup(values, cfg, r, np.where(ok, p, 1.0))
    d = s - x if cfg["direction"] == "higher_passes" else x - s
    return np.where(ok, d, np.nan).astype(F32)


def read_map(path):
    with open(path) as f:
        doc = json.load(f)
    cfg = {"background_efficiency": doc["background_efficiency"], "direction": doc["direction"],
           "rho_min": doc["rho"]["min"], "rho_max": doc["rho"]["max"], "rho_bins": doc["rho"]["bins"],
           "pt_min": doc["pt"]["min"], "pt_max": doc["pt"]["max"], "pt_bins": doc["pt"]["bins"],
           "min_entries": doc.get("min_entries", 1), "empty_bins": doc.get("empty_bins", "fill"),
           "smoothing": doc.get("smoothing", "none"), "neighbours": doc.get("neighbours", 5),
           "score_transform": doc.get("score_transform", "identity")}  # absent in format version 1
    return np.asarray(doc["values"], np.float64), cfg, doc
