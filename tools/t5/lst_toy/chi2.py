"""The chi2-like quantities of the toy's cut-based selection (the baseline).

Path length: a prompt track of x-y radius R reaches radius r after
s(r) = 2R asin(r / 2R); z is linear in s.

- T3 r-z pull: middle hit against the line z(s) through the outer two.
- T5 r-z chi2 (`rz`, 3 dof): straight-line fit z = z0 + t s(r) of the five
  anchors, s from the circle through anchors 1, 3, 5.
- T5 curvature chi2 (`radius`, 2 dof): with k = +-1/R (sign = turning
  direction of the anchor triple) of the inner T3, the bridge (anchors 2, 3,
  4) and the outer T3:
  (k_in - k_out)^2 / (s_in^2 + s_out^2) + (k_br - (k_in + k_out)/2)^2 / (s_br^2 + (s_in^2 + s_out^2)/4).
- Errors: hit resolution (r-phi Gaussian, along-strip flat: L^2/12, mapped
  to z through the slope for endcap hits and to the circle through the
  angle between the track and the radial direction) plus Highland multiple
  scattering, 2% X0 per layer, for the momentum the radii give.
The baseline quantity is chi2 = rz + radius (5 dof); the baseline cut keeps
chi2 below a value fixed on the training sample (see train_t5.py).
"""
import numpy as np

from . import geometry as geo

X0_LAYER = 0.02


def _highland(p, x):
    return 13.6e-3 / np.maximum(p, 1e-3) * np.sqrt(x) * (1.0 + 0.038 * np.log(x))


def path_length(r, R):
    return 2.0 * R * np.arcsin(np.clip(r / (2.0 * R), -1.0, 1.0))


def _along_var(c, idx):
    """Variance of the along-strip coordinate (z in the barrel, r on disks)."""
    return (2.0 * c["half"][idx]) ** 2 / 12.0


def _sigma_rphi(c, idx):
    ps = c["half"][idx] < 1.0
    return np.where(ps, geo.SIGMA_RPHI_PS, geo.SIGMA_RPHI_2S)


def t3_rz_pull(c, t3, R):
    r, z = c["md_r"][t3], c["md_z"][t3]
    # a radius below half the outer hit's r (mismeasured) would not reach it: clamp for the path length
    Rr = np.fmax(R, 0.5001 * r.max(axis=1))[:, None]
    s = path_length(r, Rr)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = (s[:, 1] - s[:, 0]) / (s[:, 2] - s[:, 0])
        t = (z[:, 2] - z[:, 0]) / (s[:, 2] - s[:, 0])
    var = []
    for k in range(3):
        v = _along_var(c, t3[:, k])
        var.append(np.where(c["disk"][t3[:, k]], v * t * t, v))
    pt = geo.pt_from_radius(Rr[:, 0])
    p = pt * np.sqrt(1.0 + t * t)
    theta0 = _highland(p, X0_LAYER * np.sqrt(1.0 + t * t))
    ms = theta0 * (1.0 + t * t) * (s[:, 1] - s[:, 0]) * (s[:, 2] - s[:, 1]) / (s[:, 2] - s[:, 0])
    sigma = np.sqrt(var[1] + (1 - w) ** 2 * var[0] + w ** 2 * var[2] + ms * ms + 1e-6)
    with np.errstate(invalid="ignore"):
        pull = (z[:, 1] - (z[:, 0] + w * (z[:, 2] - z[:, 0]))) / sigma
    return np.where(np.isfinite(pull), pull, np.inf)


def _kappa_sigma(c, md3, R, p):
    """Error of 1/R of the circle through three anchors md3 [n, 3]."""
    x, y = c["md_x"][md3], c["md_y"][md3]
    L = np.hypot(x[:, 2] - x[:, 0], y[:, 2] - y[:, 0])
    r = c["md_r"][md3]
    sin_a = np.clip(r / (2.0 * R[:, None]), 0.0, 1.0)
    var = _sigma_rphi(c, md3) ** 2 + np.where(c["disk"][md3], _along_var(c, md3) * sin_a ** 2, 0.0)
    res = 8.0 * np.sqrt(var.mean(axis=1) * 1.5) / (L * L)
    ms = 2.0 * _highland(p, X0_LAYER) / L
    return np.sqrt(res * res + ms * ms)


def t5_chi2(c, t3_in, t3_out, r_in, r_out):
    """rz and radius chi2 of T5 candidates (inner T3 rows, outer T3 rows, their radii)."""
    from .build import circle  # local import: build imports this module
    md = np.concatenate([t3_in, t3_out[:, 1:]], axis=1)
    x, y, r, z = c["md_x"][md], c["md_y"][md], c["md_r"][md], c["md_z"][md]
    _, _, R135 = circle(x[:, 0], y[:, 0], x[:, 2], y[:, 2], x[:, 4], y[:, 4])
    _, _, r_br = circle(x[:, 1], y[:, 1], x[:, 2], y[:, 2], x[:, 3], y[:, 3])
    s = path_length(r, R135[:, None])
    # unweighted slope first, then weighted straight-line fit
    with np.errstate(invalid="ignore", divide="ignore"):
        sm, zm = s.mean(axis=1, keepdims=True), z.mean(axis=1, keepdims=True)
        t = ((s - sm) * (z - zm)).sum(axis=1) / ((s - sm) ** 2).sum(axis=1)
        p = geo.pt_from_radius(R135) * np.sqrt(1.0 + t * t)
        theta0 = _highland(p, X0_LAYER * np.sqrt(1.0 + t * t))
        ms = theta0 * (1.0 + t * t) * (s[:, 4] - s[:, 0]) / 4.0
        along = (2.0 * c["half"][md]) ** 2 / 12.0
        var = np.where(c["disk"][md], along * (t * t)[:, None], along) + (ms * ms)[:, None] + 1e-6
        w = 1.0 / var
        sw, ssw, zw = w.sum(1), (w * s).sum(1), (w * z).sum(1)
        sss, szw = (w * s * s).sum(1), (w * s * z).sum(1)
        det = sw * sss - ssw * ssw
        tt = (sw * szw - ssw * zw) / det
        z0 = (zw - tt * ssw) / sw
        rz = (w * (z - z0[:, None] - tt[:, None] * s) ** 2).sum(1)

        # signed curvatures: the turning direction of each anchor triple (an opposite-charge
        # continuation has a similar |R| but the other sign)
        def turn(a, b, c):
            return np.sign((x[:, b] - x[:, a]) * (y[:, c] - y[:, a]) - (y[:, b] - y[:, a]) * (x[:, c] - x[:, a]))
        k_in, k_br, k_out = turn(0, 1, 2) / r_in, turn(1, 2, 3) / r_br, turn(2, 3, 4) / r_out
        # inner T3 (mostly PS) and the long-lever 1-3-5 circle set the track-to-strip angle of the errors
        r_err = np.fmin(r_in, R135)
        s_in = _kappa_sigma(c, t3_in, r_err, p)
        s_out = _kappa_sigma(c, t3_out, r_err, p)
        s_br = _kappa_sigma(c, md[:, 1:4], r_err, p)
        radius = ((k_in - k_out) ** 2 / (s_in ** 2 + s_out ** 2)
                  + (k_br - 0.5 * (k_in + k_out)) ** 2 / (s_br ** 2 + 0.25 * (s_in ** 2 + s_out ** 2)))
    rz = np.where(np.isfinite(rz), rz, np.inf)
    radius = np.where(np.isfinite(radius), radius, np.inf)
    return {"rz": rz, "radius": radius, "total": rz + radius}
