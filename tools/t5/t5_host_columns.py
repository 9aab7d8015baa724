"""Host columns of the toy events: quantities computed elsewhere in LST that
format-version-2 T5 models read as extra inputs (docs/formats/t5_model.md).

- per MD (md_columns, 2): log10(1 + hit density), the number of other MDs on
  the same layer (and endcap side) within |dphi| < DENSITY_DPHI, a stand-in
  for the density inputs of LST's retrained T5 DNNs; the MD's stub bend
  (rad), LST's MD direction (MiniDoubletsSoA dphichanges).
- per T3 (t3_columns, 3): the three class probabilities (fake, prompt,
  displaced) of a toy T3 classifier, as LST's T3 DNN stores fakeScore,
  promptScore, displacedScore in TripletsSoA (cms-sw #47618).
- per T5 (t5_columns, 1): min(log10(1 + dcaXY), LOG_DCA_MAX) with dcaXY the
  distance of closest approach to the beam line of the algebraic
  least-squares circle through the five anchors (LST fits a regression
  circle per T5: QuintupletsSoA regressionCenterX/Y, regressionRadius).

The toy T3 classifier: 14 inputs in the spirit of LST's T3 DNN (hit-1 |eta|,
|phi|, |z|, r; the |eta|, dphi, dz, dr steps of hits 2-1 and 3-2; log10 of
the T3 radius; and, in place of betaIn, log10(1 + dcaXY) of the T3 circle),
a 14-32-3 softmax network trained with train_t5_v2.train_classifier.
Computed in float64 from the float32 columns, stored as float32: a host
column is an input the host provides, not something the library recomputes.
"""
import numpy as np

import t5_reference as ref

DENSITY_DPHI = 0.05
# log10(1 + 30 cm): dcaXY beyond 30 cm is clipped (no T5 of the toy starts that far out)
LOG_DCA_MAX = float(np.log10(31.0))
T3_ETA_NORM, T3_Z_NORM, T3_R_NORM = 2.5, 224.149505, 98.932365  # LST T3 DNN normalisations
MD_COLUMN_COUNT, T3_COLUMN_COUNT, T5_COLUMN_COUNT = 2, 3, 1


def _f64(batch, key):
    return np.asarray(batch[key], dtype=np.float32).astype(np.float64)


def md_density(batch):
    """log10(1 + other MDs on the same layer and z side within |dphi| < DENSITY_DPHI)."""
    phi, z = _f64(batch, "md_phi"), _f64(batch, "md_z")
    group = np.asarray(batch["md_layer"]).astype(np.int64) * 2 + (z < 0) * (np.asarray(batch["md_layer"]) >= 7)
    count = np.zeros(phi.size)
    for g in np.unique(group):
        idx = np.nonzero(group == g)[0]
        ring = np.sort(phi[idx])
        ext = np.concatenate([ring - 2 * np.pi, ring, ring + 2 * np.pi])
        lo = np.searchsorted(ext, phi[idx] - DENSITY_DPHI, side="left")
        hi = np.searchsorted(ext, phi[idx] + DENSITY_DPHI, side="right")
        count[idx] = hi - lo - 1
    return np.log10(1.0 + count)


def circle_fit_dca(x, y):
    """dcaXY (cm) of the algebraic least-squares circle x^2 + y^2 + D x + E y + F = 0
    through the points of each row (x, y [n, k], k >= 3)."""
    a = np.stack([x, y, np.ones_like(x)], axis=2)
    rhs = -(x * x + y * y)
    ata = np.einsum("nki,nkj->nij", a, a)
    atb = np.einsum("nki,nk->ni", a, rhs)
    # exactly collinear points make the system singular: NaN for those rows
    singular = ~(np.abs(np.linalg.det(ata)) > 0) if len(x) else np.zeros(0, bool)
    ata[singular] = np.eye(3)
    sol = np.linalg.solve(ata, atb[:, :, None])[:, :, 0] if len(x) else np.zeros((0, 3))
    sol[singular] = np.nan
    with np.errstate(all="ignore"):
        cx, cy = -0.5 * sol[:, 0], -0.5 * sol[:, 1]
        radius = np.sqrt(cx * cx + cy * cy - sol[:, 2])
        return np.abs(np.hypot(cx, cy) - radius)


def log_dca(dca):
    with np.errstate(invalid="ignore"):
        return np.minimum(np.log10(1.0 + dca), LOG_DCA_MAX)


def t5_columns(batch):
    md = ref.anchor_indices(batch)
    dca = circle_fit_dca(_f64(batch, "md_x")[md], _f64(batch, "md_y")[md])
    return log_dca(dca).astype(np.float32).reshape(-1, T5_COLUMN_COUNT)


def t3_features(batch):
    """The toy T3 classifier's 14 inputs, float64 [n_t3, 14]."""
    t3 = np.asarray(batch["t3_md"], dtype=np.int64).reshape(-1, 3)
    eta, phi = np.abs(_f64(batch, "md_eta")[t3]), _f64(batch, "md_phi")[t3]
    z, r = np.abs(_f64(batch, "md_z")[t3]), _f64(batch, "md_r")[t3]
    cols = [eta[:, 0] / T3_ETA_NORM, np.abs(phi[:, 0]) / np.pi, z[:, 0] / T3_Z_NORM, r[:, 0] / T3_R_NORM]
    for k in (1, 2):
        cols += [eta[:, k] - eta[:, k - 1], ref.delta_phi(phi[:, k], phi[:, k - 1]) / np.pi,
                 (z[:, k] - z[:, k - 1]) / T3_Z_NORM, (r[:, k] - r[:, k - 1]) / T3_R_NORM]
    with np.errstate(divide="ignore", invalid="ignore"):
        cols.append(np.log10(_f64(batch, "t3_radius")))
    cols.append(log_dca(circle_fit_dca(_f64(batch, "md_x")[t3], _f64(batch, "md_y")[t3])))
    return np.stack(cols, axis=1) if t3.size else np.zeros((0, 14))


def t3_columns(batch, t3_classifier):
    """P(fake), P(prompt), P(displaced) per T3 from the toy classifier, float32 [n_t3, 3]."""
    import train_t5_v2  # the trainer's float64 forward pass; imported here to keep this module light
    x = t3_features(batch)
    return train_t5_v2.predict(t3_classifier, x).astype(np.float32).reshape(-1, T3_COLUMN_COUNT)


def add_host_columns(batch, bend, t3_classifier):
    """batch with md_columns, t3_columns, t5_columns added (a new dict)."""
    out = dict(batch)
    out["md_columns"] = np.stack([md_density(batch), np.asarray(bend, dtype=np.float64)], axis=1).astype(np.float32)
    out["t3_columns"] = t3_columns(batch, t3_classifier)
    out["t5_columns"] = t5_columns(batch)
    return out


def columns_of(batch):
    """The tml_t5_columns mapping of a batch with host columns."""
    return {"md": batch["md_columns"], "t3": batch["t3_columns"], "t5": batch["t5_columns"]}
