"""LST-like object building on the toy anchors: segments -> T3 -> T5.

Every cut works on the float32 MD columns (promoted to float64), i.e. on
what the reconstruction sees, never on truth. The cuts are loose, so the
candidates include the combinatorial fakes a real tracker makes:

- Segment (MD pair on layers l -> successor(l)): the azimuth step fits a
  prompt helix with pT >= SEG_PT_MIN (plus a tolerance); in r-z the line
  through the two hits, with the hits anywhere on their pixel/strip and the
  path length between s = r (straight) and s = 2R asin(r/2R) (R of
  SEG_PT_MIN), reaches the beam line within |z| <= Z0_MAX.
- Displaced mode (build_segments(..., d0_max > 0), for samples with
  long-lived decays): the azimuth and stub-bend windows also admit a helix
  that misses the beam line by up to d0_max, and the r-z line may reach the
  beam line within Z0_MAX_DISPLACED, as LST's segment cuts open up for
  displaced tracks.
- T3 = two segments sharing an MD: x-y circle radius R through the three
  anchors above T3_PT_MIN (no impact-parameter cut: with 2S strips the
  outer triplets barely constrain it), r-z pull of the middle hit (z linear in the arc length on that circle)
  below T3_RZ_PULL_MAX.
- T5 = two T3s sharing an MD (outer T3's first MD = inner T3's last MD):
  loose r-z chi2 (straight line z(s) through the five anchors) and loose
  curvature match of the inner, bridge and outer circles (see chi2.py).
"""
import numpy as np

from . import geometry as geo
from . import chi2 as chi2mod

SEG_PT_MIN = 0.7
SEG_DPHI_TOL = 0.01
SEG_DPHI_TOL_2S_DISK = 0.03
Z0_MAX = 15.0
SIGMA_BEND_CUT = 0.02
TRANSITION_TOL_Z = 3.0
BEND_PULL_MAX = 4.0
T3_PT_MIN = 0.4
T3_RZ_PULL_MAX = 5.0
T5_RZ_CHI2_MAX = 40.0
T5_R_CHI2_MAX = 40.0
D0_MAX_DISPLACED = 4.0
Z0_MAX_DISPLACED = 30.0


def _expand(lo, hi):
    """Index pairs (i, j) for j in [lo[i], hi[i])."""
    counts = np.maximum(hi - lo, 0)
    i = np.repeat(np.arange(lo.size), counts)
    start = np.cumsum(counts) - counts
    j = lo[i] + (np.arange(i.size) - start[i])
    return i, j


def _asin_clip(v):
    return np.arcsin(np.clip(v, -1.0, 1.0))


def _half_length(layer, r):
    ps = geo.is_ps(layer, r)
    return np.where(ps, geo.LENGTH_PS, geo.LENGTH_2S) / 2.0


def _md_view(md):
    c = {k: np.asarray(md[k], dtype=np.float32).astype(np.float64) for k in ("md_x", "md_y", "md_z", "md_r", "md_phi")}
    c["layer"] = np.asarray(md["md_layer"]).astype(np.int64)
    c["half"] = _half_length(c["layer"], c["md_r"])
    c["disk"] = c["layer"] >= 7
    return c


def _z0_range(c, a, b):
    """Min and max of the r-z line's intercept at r = 0 over the hit boxes and
    over path lengths from straight to the SEG_PT_MIN helix."""
    lo = np.full(a.size, np.inf)
    hi = np.full(a.size, -np.inf)
    r_min_helix = geo.radius_from_pt(SEG_PT_MIN)
    for da in (-1.0, 1.0):
        for db in (-1.0, 1.0):
            ra = c["md_r"][a] + np.where(c["disk"][a], da * c["half"][a], 0.0)
            za = c["md_z"][a] + np.where(c["disk"][a], 0.0, da * c["half"][a])
            rb = c["md_r"][b] + np.where(c["disk"][b], db * c["half"][b], 0.0)
            zb = c["md_z"][b] + np.where(c["disk"][b], 0.0, db * c["half"][b])
            for helix in (False, True):
                if helix:
                    sa = 2 * r_min_helix * _asin_clip(ra / (2 * r_min_helix))
                    sb = 2 * r_min_helix * _asin_clip(rb / (2 * r_min_helix))
                else:
                    sa, sb = ra, rb
                with np.errstate(divide="ignore", invalid="ignore"):
                    z0 = za - sa * (zb - za) / (sb - sa)
                z0 = np.where(sb - sa > 1e-6, z0, np.nan)
                lo = np.fmin(lo, z0)
                hi = np.fmax(hi, z0)
    return lo, hi


def _d0_slack(ra, rb, d0_max):
    """Widening of the bend-curvature and azimuth-step windows for a helix with
    impact parameter |d0| <= d0_max. To first order in d0 such a helix has
    sin(bend) = r k / 2 - d0 / r, so the curvature 2 sin(bend) / r read from a
    stub is off by 2 d0 / r^2, and its azimuth at r by d0 / r."""
    curvature = 2.0 * d0_max * np.abs(1.0 / ra ** 2 - 1.0 / rb ** 2)
    azimuth = d0_max * (np.abs(1.0 / ra - 1.0 / rb) + 0.5 * (rb - ra) * (1.0 / ra ** 2 + 1.0 / rb ** 2))
    return curvature, azimuth


def _bend_ok(c, bend, a, b, d0_max=0.0):
    """Stub bends agree with each other and with the azimuth step.
    A prompt helix of signed curvature k has bend asin(r k / 2) at radius r
    and azimuth phi0 + asin(r k / 2); d0_max > 0 widens both windows (_d0_slack)."""
    ra, rb = c["md_r"][a], c["md_r"][b]
    ka, kb = 2 * np.sin(bend[a]) / ra, 2 * np.sin(bend[b]) / rb
    sa, sb = 2 * SIGMA_BEND_CUT / ra, 2 * SIGMA_BEND_CUT / rb
    slack_k, slack_phi = _d0_slack(ra, rb, d0_max)
    ok = np.abs(ka - kb) <= BEND_PULL_MAX * np.hypot(sa, sb) + slack_k
    k = (ka / sa ** 2 + kb / sb ** 2) / (1 / sa ** 2 + 1 / sb ** 2)
    sk = 1.0 / np.sqrt(1 / sa ** 2 + 1 / sb ** 2)
    slack_r = c["disk"][a] * c["half"][a] + c["disk"][b] * c["half"][b]
    dphi = (c["md_phi"][b] - c["md_phi"][a] + np.pi) % (2 * np.pi) - np.pi
    pred = _asin_clip(rb * k / 2) - _asin_clip(ra * k / 2)
    tol = BEND_PULL_MAX * (0.5 * (rb - ra) * sk + 0.5 * np.abs(k) * slack_r) + SEG_DPHI_TOL + slack_phi
    return ok & (np.abs(dphi - pred) <= tol)


def _exits_barrel(c, a, b, r_next):
    """Barrel -> endcap transition (the toy's module map): the straight r-z line
    from the barrel hit to the disk hit must pass radius r_next (the next
    barrel layer) outside the barrel's |z| (with the hit cells and a tolerance)."""
    best = np.zeros(a.size)
    r_helix = geo.radius_from_pt(SEG_PT_MIN)
    for db in (-1.0, 1.0):
        rb = c["md_r"][b] + db * c["half"][b]
        for da in (-1.0, 1.0):
            za = c["md_z"][a] + da * c["half"][a]
            for R in (None, r_helix):  # z is linear in the path length: straight or SEG_PT_MIN helix
                def s(r):
                    return r if R is None else 2 * R * _asin_clip(r / (2 * R))
                with np.errstate(divide="ignore", invalid="ignore"):
                    z_next = za + (c["md_z"][b] - za) * (s(r_next) - s(c["md_r"][a])) / (s(rb) - s(c["md_r"][a]))
                best = np.fmax(best, np.abs(z_next))
    return best >= geo.BARREL_HALF_Z - TRANSITION_TOL_Z


def build_segments(md, bend, d0_max=0.0):
    """Segments as int64 [n_seg, 2] MD index pairs (inner, outer); bend: per-MD stub bend;
    d0_max > 0: displaced mode (module docstring)."""
    c = _md_view(md)
    z0_max = Z0_MAX_DISPLACED if d0_max > 0 else Z0_MAX
    r_min = geo.radius_from_pt(SEG_PT_MIN)
    by_layer = {l: np.nonzero(c["layer"] == l)[0] for l in range(1, 7 + geo.N_DISK)}
    out = []
    for l1 in range(1, 7 + geo.N_DISK):
        A = by_layer[l1]
        for l2 in geo.successors(l1):
            B = by_layer[l2]
            if A.size == 0 or B.size == 0:
                continue
            ra = c["md_r"][A]
            if l2 <= geo.N_BARREL:
                r2max = np.full(A.size, geo.BARREL_R[l2 - 1])
            else:
                za = np.abs(c["md_z"][A]) - c["half"][A] * (~c["disk"][A]) - Z0_MAX
                r2max = np.minimum(geo.DISK_RMAX, (ra + 3.0) * (geo.DISK_Z[l2 - 7] + Z0_MAX) / np.maximum(za, 1.0))
            w = (_asin_clip(r2max / (2 * r_min)) - _asin_clip((ra - 3.0) / (2 * r_min)) + SEG_DPHI_TOL_2S_DISK
                 + _d0_slack(ra - 3.0, r2max, d0_max)[1])
            order = np.argsort(c["md_phi"][B], kind="stable")
            phb = c["md_phi"][B][order]
            ext_phi = np.concatenate([phb - 2 * np.pi, phb, phb + 2 * np.pi])
            ext_idx = np.concatenate([order, order, order])
            pha = c["md_phi"][A]
            lo = np.searchsorted(ext_phi, pha - w, side="left")
            hi = np.searchsorted(ext_phi, pha + w, side="right")
            i, j = _expand(lo, hi)
            a, b = A[i], B[ext_idx[j]]
            # exact azimuth window
            dphi = np.abs((c["md_phi"][b] - c["md_phi"][a] + np.pi) % (2 * np.pi) - np.pi)
            rb, ra = c["md_r"][b], c["md_r"][a]
            two_s = (c["disk"][a] & (c["half"][a] > 1)) | (c["disk"][b] & (c["half"][b] > 1))
            tol = np.where(two_s, SEG_DPHI_TOL_2S_DISK, SEG_DPHI_TOL)
            slack_r = c["disk"][a] * c["half"][a] + c["disk"][b] * c["half"][b]
            tol = tol + _d0_slack(ra, rb, d0_max)[1]
            ok = dphi <= _asin_clip((rb + slack_r) / (2 * r_min)) - _asin_clip((ra - slack_r) / (2 * r_min)) + tol
            ok &= rb >= ra - slack_r - 0.5
            a, b = a[ok], b[ok]
            ok = _bend_ok(c, bend, a, b, d0_max)
            a, b = a[ok], b[ok]
            if l1 < geo.N_BARREL and l2 == 7:
                ok = _exits_barrel(c, a, b, geo.BARREL_R[l1])
                a, b = a[ok], b[ok]
            z_lo, z_hi = _z0_range(c, a, b)
            ok = (z_lo <= z0_max) & (z_hi >= -z0_max)
            out.append(np.stack([a[ok], b[ok]], axis=1))
    return np.concatenate(out) if out else np.zeros((0, 2), np.int64)


def circle(x1, y1, x2, y2, x3, y3):
    """Centre and radius of the circle through three points (float64)."""
    ax, ay = x2 - x1, y2 - y1
    bx, by = x3 - x1, y3 - y1
    d = 2.0 * (ax * by - ay * bx)
    with np.errstate(divide="ignore", invalid="ignore"):
        ux = (by * (ax * ax + ay * ay) - ay * (bx * bx + by * by)) / d
        uy = (ax * (bx * bx + by * by) - bx * (ax * ax + ay * ay)) / d
    return x1 + ux, y1 + uy, np.hypot(ux, uy)


def join(first, second):
    """Pairs (i, j) with first[i, -1] == second[j, 0] (chains sharing an MD)."""
    order = np.argsort(second[:, 0], kind="stable")
    keys = second[order, 0]
    lo = np.searchsorted(keys, first[:, -1], side="left")
    hi = np.searchsorted(keys, first[:, -1], side="right")
    i, j = _expand(lo, hi)
    return i, order[j]


def build_triplets(md, segments):
    """T3s: int64 [n_t3, 3] MD indices and float32 radius (x-y circle through the anchors)."""
    c = _md_view(md)
    i, j = join(segments, segments)
    t3 = np.concatenate([segments[i], segments[j][:, 1:]], axis=1)
    x, y = c["md_x"][t3], c["md_y"][t3]
    xc, yc, R = circle(x[:, 0], y[:, 0], x[:, 1], y[:, 1], x[:, 2], y[:, 2])
    ok = np.isfinite(R) & (geo.pt_from_radius(R) >= T3_PT_MIN)
    pull = chi2mod.t3_rz_pull(c, t3, R)
    ok &= np.abs(pull) <= T3_RZ_PULL_MAX
    t3 = t3[ok]
    return t3, R[ok].astype(np.float32)


def build_quintuplets(md, t3, t3_radius):
    """T5 candidates: int64 [n_t5, 2] (inner T3, outer T3), plus the per-T5
    chi2 pieces (dict of float64 arrays) of the loose selection."""
    c = _md_view(md)
    i, j = join(t3, t3)
    pieces = chi2mod.t5_chi2(c, t3[i], t3[j], t3_radius[i].astype(np.float64), t3_radius[j].astype(np.float64))
    ok = (pieces["rz"] <= T5_RZ_CHI2_MAX) & (pieces["radius"] <= T5_R_CHI2_MAX)
    t5 = np.stack([i[ok], j[ok]], axis=1)
    return t5, {k: v[ok] for k, v in pieces.items()}
