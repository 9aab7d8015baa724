"""Independent numpy reference of the LST T5 (quintuplet) DNN: features, score, pass.

Written from cmssw RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h
(t5dnn::runInference: v2 at 719e09e3, v1 at 2181e6aa), RecoTracker/LSTCore/interface/Circle.h
(computeRadiusFromThreeAnchorHits, at 1416747), HeterogeneousCore/AlpakaMath/interface/deltaPhi.h
(reducePhiRange), the constants and working points kWp of RecoTracker/LSTCore/interface/alpaka/Common.h,
and docs/formats/t5_model.md, not from the library's sources.

Precision rule (docs/numerics.md): everything is LST's float32 arithmetic, operation for
operation in LST's order: float32 arrays and np.float32 constants only (numpy float32
elementwise operations round each step, never fuse), the C library's log10f and expf
through ctypes (LST's CPU build calls the same functions), the network as float32 chains
(bias first in v2, last in v1), ReLU as (x > 0) ? x : 0. No float64 enters a feature or a score.
"""
import ctypes
import ctypes.util

import numpy as np

from t5_model_file import read_model

F32 = np.float32

# cms-sw LSTCore Common.h: float k2Rinv1GeVf = (2.99792458e-3 * 3.8) / 2 (the double
# product rounded to float), so pT[GeV] = 2 * k2Rinv1GeVf * R[cm].
K2RINV1GEVF = F32((2.99792458e-3 * 3.8) / 2)

# Common.h: kPi = std::numbers::pi_v<float> (pi rounded to nearest, 3.14159274); the
# lst-v2 normalisations of namespace dnn::t5dnn.
PI_F = F32(np.pi)
ETA_NORM = F32(2.5)
PHI_NORM = PI_F
Z_MAX = F32(267.2349854)  # cm, largest t5_t3_4_z in the training file
R_MAX = F32(110.1099396)  # cm, largest t5_t3_4_r in the training file

_LIBM = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
_LIBM.log10f.restype = _LIBM.expf.restype = ctypes.c_float
_LIBM.log10f.argtypes = _LIBM.expf.argtypes = [ctypes.c_float]


def _libm(function, x):
    """function (a libm float function) applied element by element, float32 in and out."""
    x = np.asarray(x, dtype=F32)
    flat = x.ravel()
    out = np.fromiter((function(v) for v in flat.tolist()), dtype=F32, count=flat.size)
    return out.reshape(x.shape)


def log10f(x):
    """The C library's log10f (alpaka::math::log10 of a float on the CPU backend)."""
    return _libm(_LIBM.log10f, x)


def expf(x):
    """The C library's expf (alpaka::math::exp of a float on the CPU backend)."""
    return _libm(_LIBM.expf, x)


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


def reduce_phi_range(x):
    """reducePhiRange (cmssw HeterogeneousCore/AlpakaMath/interface/deltaPhi.h) in float32:
    x when |x| <= pi_f (so +pi_f stays +pi_f), else x - round(x * o2pi) * 2 * pi_f, with
    o2pi = 1 / (2 pi_f) a float and round() taking halves away from zero (C's roundf)."""
    x = np.asarray(x, dtype=F32)
    o2pi = F32(1) / (F32(2) * PI_F)
    with np.errstate(invalid="ignore"):
        scaled = x * o2pi
        whole = np.floor(np.abs(scaled))
        turns = np.copysign(whole + (np.abs(scaled) - whole >= F32(0.5)).astype(F32), scaled)
        reduced = x - turns * F32(2) * PI_F
        return np.where(np.abs(x) <= PI_F, x, reduced).astype(F32)


def delta_phi(phi, phi_ref):
    """cms::alpakatools::deltaPhi(phi, phi_ref) = reducePhiRange(phi - phi_ref), float32."""
    return reduce_phi_range(np.asarray(phi, dtype=F32) - np.asarray(phi_ref, dtype=F32))


def circle_radius(x1, y1, x2, y2, x3, y3):
    """Exact radius of the circle through three points in x-y, float64: R = abc / (2 |cross|),
    with a, b, c the side lengths and cross/2 the signed triangle area (for checking toy
    geometry; the features use lst_circle_radius).
    Exactly collinear distinct points give +inf (a straight line), coincident ones NaN."""
    x1, y1, x2, y2, x3, y3 = (np.asarray(v, dtype=np.float64) for v in (x1, y1, x2, y2, x3, y3))
    cross = (x2 - x1) * (y3 - y1) - (y2 - y1) * (x3 - x1)
    sides = np.hypot(x2 - x3, y2 - y3) * np.hypot(x1 - x3, y1 - y3) * np.hypot(x1 - x2, y1 - y2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return sides / (2 * np.abs(cross))


def lst_circle_radius(x1, y1, x2, y2, x3, y3):
    """computeRadiusFromThreeAnchorHits (cmssw RecoTracker/LSTCore/interface/Circle.h) in float32:
    D = (y1-y3)(x2-x3) - (x1-x3)(y2-y3); s_k = x_k^2 + y_k^2; centre
    cx = 0.5 ((y3-y2) s1 + (y1-y3) s2 + (y2-y1) s3) / D, cy likewise, c = (...) / D (times 1/D);
    radius sqrt(cx^2 + cy^2 - c), or -1 when D == 0 or the radicand is negative."""
    x1, y1, x2, y2, x3, y3 = (np.asarray(v, dtype=F32) for v in (x1, y1, x2, y2, x3, y3))
    half = F32(0.5)
    with np.errstate(all="ignore"):
        determinant = (y1 - y3) * (x2 - x3) - (x1 - x3) * (y2 - y3)
        denom_inv = F32(1) / determinant
        s1, s2, s3 = x1 * x1 + y1 * y1, x2 * x2 + y2 * y2, x3 * x3 + y3 * y3
        cx = half * ((y3 - y2) * s1 + (y1 - y3) * s2 + (y2 - y1) * s3) * denom_inv
        cy = half * ((x2 - x3) * s1 + (x3 - x1) * s2 + (x1 - x2) * s3) * denom_inv
        c = ((x2 * y3 - x3 * y2) * s1 + (x3 * y1 - x1 * y3) * s2 + (x1 * y2 - x2 * y1) * s3) * denom_inv
        radicand = cx * cx + cy * cy - c
        return np.where((determinant == 0) | (radicand < 0), F32(-1), np.sqrt(radicand)).astype(F32)


def pt_from_radius(radius):
    """Transverse momentum in GeV of a helix of this radius in cm, as LST's working point
    computes it: R * k2Rinv1GeVf * 2 in float32."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(radius, dtype=F32) * K2RINV1GEVF * F32(2)


def _columns(batch, md):
    """Anchor columns as float32 [n_t5, 5] arrays, plus the three radii (float32)."""
    col = {name: np.asarray(batch[name], dtype=F32)[md]
           for name in ("md_x", "md_y", "md_z", "md_r", "md_eta", "md_phi")}
    t5_t3 = np.asarray(batch["t5_t3"], dtype=np.int64).reshape(-1, 2)
    t3_radius = np.asarray(batch["t3_radius"], dtype=F32)
    x, y = col["md_x"], col["md_y"]
    radii = {
        "inner": t3_radius[t5_t3[:, 0]],
        "bridge": lst_circle_radius(x[:, 1], y[:, 1], x[:, 2], y[:, 2], x[:, 3], y[:, 3]),
        "outer": t3_radius[t5_t3[:, 1]],
    }
    return col, radii


def _features_v2(batch, md):
    """23 inputs (NeuralNetwork.h v2), each LST's float expression: |eta1|/2.5f, |phi1|/kPi,
    |z1|/kZ_max, r1/kR_max, then for each next anchor |eta| difference (unscaled),
    deltaPhi/kPi, |z| difference/kZ_max, r difference/kR_max, then log10f of the inner,
    bridge and outer radii (cm, unscaled)."""
    col, radii = _columns(batch, md)
    eta, phi, z, r = np.abs(col["md_eta"]), col["md_phi"], np.abs(col["md_z"]), col["md_r"]
    with np.errstate(all="ignore"):
        out = [eta[:, 0] / ETA_NORM, np.abs(phi[:, 0]) / PHI_NORM, z[:, 0] / Z_MAX, r[:, 0] / R_MAX]
        for k in range(1, 5):
            out += [eta[:, k] - eta[:, k - 1],
                    delta_phi(phi[:, k], phi[:, k - 1]) / PHI_NORM,
                    (z[:, k] - z[:, k - 1]) / Z_MAX,
                    (r[:, k] - r[:, k - 1]) / R_MAX]
    out += [log10f(radii["inner"]), log10f(radii["bridge"]), log10f(radii["outer"])]
    return out


def _features_v1(batch, md):
    """38 raw inputs (NeuralNetwork.h at 2181e6aa, v1): per T3 log10f(2 * k2Rinv1GeVf * R) and
    the signed eta, phi, z, sqrtf(x*x + y*y) and layer of its three anchors; then
    log10f((R_in + R_out) * k2Rinv1GeVf), the T5 eta and phi, log10f of the three radii."""
    if batch.get("md_layer") is None:
        raise ValueError("lst-v1 needs md_layer")
    col, radii = _columns(batch, md)
    layer = np.asarray(batch["md_layer"], dtype=np.uint8)[md]
    with np.errstate(all="ignore"):
        rho = np.sqrt(col["md_x"] * col["md_x"] + col["md_y"] * col["md_y"])
        two_k = F32(2) * K2RINV1GEVF
        pt_inner, pt_outer = two_k * radii["inner"], two_k * radii["outer"]
        t5_pt_term = (radii["inner"] + radii["outer"]) * K2RINV1GEVF

    def hit(k):
        return [col["md_eta"][:, k], col["md_phi"][:, k], col["md_z"][:, k], rho[:, k], layer[:, k].astype(F32)]

    # T5 eta/phi: md2 when md1's module has layers() == 1 (LST's layer2_adjustment); LST counts
    # endcap disks 1-5 in that column too, so md_layer 1 (barrel) and 7 (endcap disk 1) qualify.
    second = (layer[:, 0] == 1) | (layer[:, 0] == 7)
    t5_eta = np.where(second, col["md_eta"][:, 1], col["md_eta"][:, 0])
    t5_phi = np.where(second, col["md_phi"][:, 1], col["md_phi"][:, 0])
    return ([log10f(pt_inner)] + hit(0) + hit(1) + hit(2)
            + [log10f(pt_outer)] + hit(2) + hit(3) + hit(4)
            + [log10f(t5_pt_term), t5_eta, t5_phi]
            + [log10f(radii["inner"]), log10f(radii["bridge"]), log10f(radii["outer"])])


def features(batch, feature_set):
    """The network inputs, float32 [n_t5, 23 or 38]."""
    if feature_set not in INPUT_COUNT:
        raise ValueError(f"unknown feature set {feature_set!r}")
    md = anchor_indices(batch)
    columns = (_features_v2 if feature_set == "lst-v2" else _features_v1)(batch, md)
    assert len(columns) == INPUT_COUNT[feature_set]
    assert all(np.asarray(c).dtype == F32 for c in columns)
    return np.stack(columns, axis=1).astype(F32).reshape(md.shape[0], len(columns))


def sigmoid(logit):
    """LST's sigmoid_activation, exp(x) / (exp(x) + 1.f) in float32 with libm's expf; where
    expf overflows (x above ~88.72) LST gets inf/inf = NaN, the library and this reference 1."""
    e = expf(logit)
    with np.errstate(invalid="ignore"):
        return np.where(e == np.inf, F32(1), e / (e + F32(1))).astype(F32)


def bias_last(feature_set):
    """v1 (NeuralNetwork.h at 2181e6aa) sums from 0 and adds the bias last; v2's
    linear_layer starts from the bias."""
    return feature_set == "lst-v1"


def score(features, layers, feature_set="lst-v2"):
    """Sigmoid score, float32 [n_t5]; NaN for every candidate with a non-finite input.

    layers: [(W float32 [in][out], b float32 [out])]; each output is LST's float32 chain
    y = b; y += x_j * W_jo for j ascending (v2), or y = 0; y += x_j * W_jo; y += b (v1),
    hidden layers ReLU as (y > 0) ? y : 0, one sigmoid output."""
    x = np.asarray(features, dtype=F32)
    finite = np.all(np.isfinite(x), axis=1)
    last = bias_last(feature_set)
    with np.errstate(all="ignore"):
        for i, (w, b) in enumerate(layers):
            w, b = np.asarray(w, dtype=F32), np.asarray(b, dtype=F32)
            start = np.zeros(w.shape[1], F32) if last else b
            y = np.broadcast_to(start, (x.shape[0], w.shape[1])).astype(F32)
            for j in range(w.shape[0]):
                y = y + x[:, j:j + 1] * w[j]
            if last:
                y = y + b
            x = y if i == len(layers) - 1 else np.where(y > 0, y, F32(0)).astype(F32)
    return np.where(finite, sigmoid(x[:, 0]), F32(np.nan)).astype(F32)


def pt_row(pt, pt_edges):
    """Working-point row: how many pT edges the candidate's (float32) pT is strictly above
    (LST: `t5_pt > 5.0f`)."""
    pt = np.asarray(pt, dtype=F32).astype(np.float64)
    with np.errstate(invalid="ignore"):
        return sum((pt > edge).astype(np.int64) for edge in pt_edges) if len(pt_edges) else np.zeros(pt.shape, np.int64)


def eta_column(abs_eta, bin_width, n_bins):
    """Working-point column: int(|eta| / width) in float32 (LST: eta1 / kEtaSize), every
    |eta| at or past the last bin's lower edge in the last bin (LST reads past its row at
    |eta| = 2.5 exactly); -1 if not finite."""
    with np.errstate(invalid="ignore"):
        q = np.floor(np.asarray(abs_eta, dtype=F32) / F32(bin_width))
        return np.where(np.isfinite(q), np.minimum(np.nan_to_num(q), n_bins - 1), -1).astype(np.int64)


def candidate_cuts(batch, working_point):
    """The score cut (float32, as the library and LST hold it) that applies to each
    candidate [n_t5] (NaN where undefined)."""
    n_t5 = int(batch["n_t5"])
    if working_point["kind"] == "single":
        return np.full(n_t5, F32(working_point["cut"]), dtype=F32)
    if working_point["kind"] != "pt_eta_table":
        raise ValueError(f"unknown working point kind {working_point['kind']!r}")
    md = anchor_indices(batch)
    t5_t3 = np.asarray(batch["t5_t3"], dtype=np.int64).reshape(n_t5, 2)
    r_inner = np.asarray(batch["t3_radius"], dtype=F32)[t5_t3[:, 0]]
    eta1 = np.abs(np.asarray(batch["md_eta"], dtype=F32)[md[:, 0]])
    cuts = np.asarray(working_point["cuts"], dtype=F32)
    row = pt_row(pt_from_radius(r_inner), working_point["pt_edges_gev"])
    col = eta_column(eta1, float(working_point["eta_bin_width"]), int(working_point["eta_bins"]))
    defined = np.isfinite(r_inner) & (col >= 0)
    return np.where(defined, cuts[row, np.maximum(col, 0)], F32(np.nan)).astype(F32)


def pass_flags(score, batch, working_point):
    """1 where score > cut, both float32; a NaN score never passes."""
    with np.errstate(invalid="ignore"):
        return (np.asarray(score, dtype=F32) > candidate_cuts(batch, working_point)).astype(np.uint8)


def evaluate(batch, model_path):
    """(features float32, score float32, pass uint8) of one batch for one model file."""
    feature_set, layers, working_point, _ = read_model(model_path)
    x = features(batch, feature_set)
    s = score(x, layers, feature_set)
    return x, s, pass_flags(s, batch, working_point)
