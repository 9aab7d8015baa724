"""Independent numpy reference of the LST T5 (quintuplet) DNN: features, score, pass.

Written from cmssw RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h
(t5dnn::runInference: v2 at 719e09e3, v1 at 2181e6aa), T5NeuralNetworkWeights.h
and the working points kWp of RecoTracker/LSTCore/interface/alpaka/Common.h,
and docs/formats/t5_model.md, not from the
library's sources.

Precision rule (docs/numerics.md): every feature is computed in float64 from the
float32 columns and rounded to float32 once; the network then runs in
float64 on those float32 features.
"""
import numpy as np

from t5_model_file import read_model

# cms-sw LSTCore Common.h: k2Rinv1GeVf = (2.99792458e-3 * 3.8) / 2 (c in GeV/(T cm), B = 3.8 T),
# so pT[GeV] = 2 * k2Rinv1GeVf * R[cm].
K2RINV1GEVF = (2.99792458e-3 * 3.8) / 2

# lst-v2 normalisations, cms-sw NeuralNetwork.h t5dnn::runInference (v2, 23 inputs).
ETA_NORM = 2.5
PHI_NORM = np.pi
Z_MAX = 267.2349854  # cm, largest t5_t3_4_z in the training file
R_MAX = 110.1099396  # cm, largest t5_t3_4_r in the training file

INPUT_COUNT = {"lst-v2": 23, "lst-v1": 38}
BARREL_LAYER_1 = 1  # md_layer: barrel 1-6, endcap 7-11 (layers + 6 * (subdet == 4))


def anchor_indices(batch):
    """The five anchor MDs of every T5, int64 [n_t5, 5]: the inner T3's three MDs,
    then the outer T3's second and third (its first is the shared md3).
    Raises ValueError on out-of-range indices or a broken chain."""
    n_md, n_t3, n_t5 = int(batch["n_md"]), int(batch["n_t3"]), int(batch["n_t5"])
    t3_md = np.asarray(batch["t3_md"], dtype=np.int64).reshape(n_t3, 3)
    t5_t3 = np.asarray(batch["t5_t3"], dtype=np.int64).reshape(n_t5, 2)
    if t3_md.size and t3_md.max() >= n_md:
        raise ValueError(f"t3_md: MD index {t3_md.max()} out of range (n_md = {n_md})")
    if t5_t3.size and t5_t3.max() >= n_t3:
        raise ValueError(f"t5_t3: T3 index {t5_t3.max()} out of range (n_t3 = {n_t3})")
    inner, outer = t3_md[t5_t3[:, 0]], t3_md[t5_t3[:, 1]]
    broken = np.nonzero(outer[:, 0] != inner[:, 2])[0]
    if broken.size:
        raise ValueError(f"T5 {broken[0]}: outer T3's first MD is not the inner T3's last MD")
    return np.concatenate([inner, outer[:, 1:]], axis=1)


def delta_phi(phi, phi_ref):
    """phi - phi_ref wrapped into [-pi, pi] (cms::alpakatools::deltaPhi), float64."""
    d = np.asarray(phi, dtype=np.float64) - np.asarray(phi_ref, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        outside = np.abs(d) > np.pi
        return np.where(outside, d - 2 * np.pi * np.round(d / (2 * np.pi)), d)


def circle_radius(x1, y1, x2, y2, x3, y3):
    """Radius of the circle through three points in x-y, float64: R = abc / (2 |cross|),
    with a, b, c the side lengths and cross/2 the signed triangle area.
    Exactly collinear distinct points give +inf (a straight line), coincident ones NaN."""
    x1, y1, x2, y2, x3, y3 = (np.asarray(v, dtype=np.float64) for v in (x1, y1, x2, y2, x3, y3))
    cross = (x2 - x1) * (y3 - y1) - (y2 - y1) * (x3 - x1)
    sides = np.hypot(x2 - x3, y2 - y3) * np.hypot(x1 - x3, y1 - y3) * np.hypot(x1 - x2, y1 - y2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return sides / (2 * np.abs(cross))


def pt_from_radius(radius):
    """Transverse momentum in GeV of a helix of this radius in cm in the 3.8 T field."""
    return 2 * K2RINV1GEVF * np.asarray(radius, dtype=np.float64)


def _log10(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(x)


def _columns(batch, md):
    """Anchor columns as float64 [n_t5, 5] arrays, plus the three radii."""
    col = {name: np.asarray(batch[name], dtype=np.float32).astype(np.float64)[md]
           for name in ("md_x", "md_y", "md_z", "md_r", "md_eta", "md_phi")}
    t5_t3 = np.asarray(batch["t5_t3"], dtype=np.int64).reshape(-1, 2)
    t3_radius = np.asarray(batch["t3_radius"], dtype=np.float32).astype(np.float64)
    x, y = col["md_x"], col["md_y"]
    radii = {
        "inner": t3_radius[t5_t3[:, 0]],
        "bridge": circle_radius(x[:, 1], y[:, 1], x[:, 2], y[:, 2], x[:, 3], y[:, 3]),
        "outer": t3_radius[t5_t3[:, 1]],
    }
    return col, radii


def _features_v2(batch, md):
    """23 inputs (NeuralNetwork.h v2): |eta|, |phi|, |z|, r of md1, then the four consecutive
    differences, then log10 of the inner, bridge and outer radii (cm, unscaled)."""
    col, radii = _columns(batch, md)
    eta, phi, z, r = np.abs(col["md_eta"]), col["md_phi"], np.abs(col["md_z"]), col["md_r"]
    out = [eta[:, 0] / ETA_NORM, np.abs(phi[:, 0]) / PHI_NORM, z[:, 0] / Z_MAX, r[:, 0] / R_MAX]
    for k in range(1, 5):
        out += [eta[:, k] - eta[:, k - 1],  # deltas of |eta| are not scaled
                delta_phi(phi[:, k], phi[:, k - 1]) / PHI_NORM,
                (z[:, k] - z[:, k - 1]) / Z_MAX,
                (r[:, k] - r[:, k - 1]) / R_MAX]
    out += [_log10(radii["inner"]), _log10(radii["bridge"]), _log10(radii["outer"])]
    return out


def _features_v1(batch, md):
    """38 raw inputs (NeuralNetwork.h at 2181e6aa, v1): per T3 its log10 pT and the signed eta, phi, z,
    sqrt(x^2+y^2) and layer of its three anchors; then the T5 pT, eta, phi and
    log10 of the three radii."""
    if batch.get("md_layer") is None:
        raise ValueError("lst-v1 needs md_layer")
    col, radii = _columns(batch, md)
    layer = np.asarray(batch["md_layer"], dtype=np.uint8).astype(np.float64)[md]
    rho = np.sqrt(col["md_x"] ** 2 + col["md_y"] ** 2)

    def hit(k):
        return [col["md_eta"][:, k], col["md_phi"][:, k], col["md_z"][:, k], rho[:, k], layer[:, k]]

    # T5 eta/phi: md2 when md1 sits on barrel layer 1 (LST's layer2_adjustment), else md1.
    on_layer1 = layer[:, 0] == BARREL_LAYER_1
    t5_eta = np.where(on_layer1, col["md_eta"][:, 1], col["md_eta"][:, 0])
    t5_phi = np.where(on_layer1, col["md_phi"][:, 1], col["md_phi"][:, 0])
    with np.errstate(invalid="ignore", over="ignore"):
        t5_pt_term = (radii["inner"] + radii["outer"]) * K2RINV1GEVF
    return ([_log10(pt_from_radius(radii["inner"]))] + hit(0) + hit(1) + hit(2)
            + [_log10(pt_from_radius(radii["outer"]))] + hit(2) + hit(3) + hit(4)
            + [_log10(t5_pt_term), t5_eta, t5_phi]
            + [_log10(radii["inner"]), _log10(radii["bridge"]), _log10(radii["outer"])])


def features(batch, feature_set):
    """The network inputs, float32 [n_t5, 23 or 38]."""
    if feature_set not in INPUT_COUNT:
        raise ValueError(f"unknown feature set {feature_set!r}")
    md = anchor_indices(batch)
    columns = (_features_v2 if feature_set == "lst-v2" else _features_v1)(batch, md)
    assert len(columns) == INPUT_COUNT[feature_set]
    with np.errstate(invalid="ignore", over="ignore"):
        return np.stack(columns, axis=1).astype(np.float32).reshape(md.shape[0], len(columns))


def sigmoid(logit):
    """1/(1+exp(-x)) without overflow: e = exp(-|x|) is never above 1."""
    x = np.asarray(logit, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def score(features, layers):
    """Sigmoid score, float64 [n_t5]; NaN for every candidate with a non-finite input.

    layers: [(W float32 [in][out], b float32 [out])]; y_o = b_o + sum_i x_i W_io,
    hidden layers ReLU, one sigmoid output. Evaluated in float64, accumulating
    over inputs in index order like LST's loop."""
    x = np.asarray(features, dtype=np.float32).astype(np.float64)
    finite = np.all(np.isfinite(x), axis=1)
    x = np.where(finite[:, None], x, 0.0)
    for i, (w, b) in enumerate(layers):
        w = np.asarray(w, dtype=np.float32).astype(np.float64)
        y = np.broadcast_to(np.asarray(b, dtype=np.float32).astype(np.float64), (x.shape[0], w.shape[1])).copy()
        for j in range(w.shape[0]):
            y += x[:, j:j + 1] * w[j]
        x = y if i == len(layers) - 1 else np.where(y > 0, y, 0.0)
    return np.where(finite, sigmoid(x[:, 0]), np.nan)


def pt_row(pt, pt_edges):
    """Working-point row: how many pT edges the candidate's pT is strictly above."""
    pt = np.asarray(pt, dtype=np.float64)
    return sum((pt > edge).astype(np.int64) for edge in pt_edges) if len(pt_edges) else np.zeros(pt.shape, np.int64)


def eta_column(abs_eta, bin_width, n_bins):
    """Working-point column: floor(|eta| / width), the last bin open-ended; -1 if not finite."""
    with np.errstate(invalid="ignore"):
        q = np.floor(np.asarray(abs_eta, dtype=np.float64) / bin_width)
        return np.where(np.isfinite(q), np.minimum(np.nan_to_num(q), n_bins - 1), -1).astype(np.int64)


def candidate_cuts(batch, working_point):
    """The score cut that applies to each candidate, float64 [n_t5] (NaN where undefined)."""
    n_t5 = int(batch["n_t5"])
    if working_point["kind"] == "single":
        return np.full(n_t5, float(working_point["cut"]))
    if working_point["kind"] != "pt_eta_table":
        raise ValueError(f"unknown working point kind {working_point['kind']!r}")
    md = anchor_indices(batch)
    t5_t3 = np.asarray(batch["t5_t3"], dtype=np.int64).reshape(n_t5, 2)
    r_inner = np.asarray(batch["t3_radius"], dtype=np.float32).astype(np.float64)[t5_t3[:, 0]]
    eta1 = np.abs(np.asarray(batch["md_eta"], dtype=np.float32).astype(np.float64)[md[:, 0]])
    cuts = np.asarray(working_point["cuts"], dtype=np.float64)
    row = pt_row(pt_from_radius(r_inner), working_point["pt_edges_gev"])
    col = eta_column(eta1, float(working_point["eta_bin_width"]), int(working_point["eta_bins"]))
    defined = np.isfinite(r_inner) & (col >= 0)
    return np.where(defined, cuts[row, np.maximum(col, 0)], np.nan)


def pass_flags(score, batch, working_point):
    """1 where score > cut; a NaN score never passes."""
    with np.errstate(invalid="ignore"):
        return (np.asarray(score, dtype=np.float64) > candidate_cuts(batch, working_point)).astype(np.uint8)


def evaluate(batch, model_path):
    """(features float32, score float64, pass uint8) of one batch for one model file."""
    feature_set, layers, working_point, _ = read_model(model_path)
    x = features(batch, feature_set)
    s = score(x, layers)
    return x, s, pass_flags(s, batch, working_point)
