"""Helix propagation through the toy tracker with multiple scattering.

A track of charge q in the field B along +z turns with dphi/ds = -q / R
(s = transverse arc length, R = pT / (2 k2Rinv1GeVf)). Moving outward it
meets the next barrel cylinder (if |z| <= half length there) or the next disk
on its side (if rmin <= r <= rmax), whichever comes first. Only the outgoing
half-turn is followed (no loopers coming back). At every sensitive surface
the direction gets a Highland multiple-scattering kink (two independent
Gaussian angles, path length through the layer included); |p| is kept.
"""
import numpy as np

from . import geometry as geo


def _highland(p, x_over_x0):
    return 13.6e-3 / p * np.sqrt(x_over_x0) * (1.0 + 0.038 * np.log(x_over_x0))


def _wrap(a):
    return (a + np.pi) % (2 * np.pi) - np.pi


def propagate(rng, particles):
    """True crossings of every particle with the sensitive surfaces.

    Returns a dict of arrays, one entry per crossing, in the order of
    crossing for each particle: particle (int64), layer (uint8, 1-11),
    x, y, z (float64, cm), pt (local pT, GeV), phi_dir (x-y direction of motion)."""
    n = particles["pt"].size
    x, y, z = particles["vx"].copy(), particles["vy"].copy(), particles["vz"].copy()
    phi = particles["phi"].copy()
    pt = particles["pt"].copy()
    cot = np.sinh(particles["eta"])  # pz / pT
    p = pt * np.sqrt(1.0 + cot * cot)
    h = -particles["q"]
    next_b = np.zeros(n, np.int64)  # next barrel layer index, N_BARREL = done
    next_d = np.zeros(n, np.int64)  # next disk index on the side sign(cot)
    active = np.ones(n, bool)
    out = {k: [] for k in ("particle", "layer", "x", "y", "z", "pt", "phi_dir", "step")}
    step = 0

    for _ in range(geo.N_BARREL + geo.N_DISK + 2):
        idx = np.nonzero(active)[0]
        if idx.size == 0:
            break
        xi, yi, zi, ph, c, hh = x[idx], y[idx], z[idx], phi[idx], cot[idx], h[idx]
        R = geo.radius_from_pt(pt[idx])
        xc, yc = xi - hh * R * np.sin(ph), yi + hh * R * np.cos(ph)
        d = np.hypot(xc, yc)
        # arc length to the point farthest from the beam line (end of the outgoing branch)
        # there P - C = R (xc, yc)/d = (h R sin phi, -h R cos phi)
        phi_far = np.arctan2(hh * xc / d, -hh * yc / d)
        s_turn = R * np.mod(hh * (phi_far - ph), 2 * np.pi)

        # barrel candidate
        nb = next_b[idx]
        has_b = nb < geo.N_BARREL
        rl = geo.BARREL_R[np.minimum(nb, geo.N_BARREL - 1)]
        with np.errstate(invalid="ignore", divide="ignore"):
            a = (rl * rl - R * R + d * d) / (2 * d)
            b = np.sqrt(rl * rl - a * a)
        ux, uy = xc / d, yc / d
        s_b = np.full(idx.size, np.inf)
        for sign in (1.0, -1.0):
            px_, py_ = a * ux - sign * b * uy, a * uy + sign * b * ux
            phi_p = np.arctan2((px_ - xc) * hh, -(py_ - yc) * hh)
            s = R * np.mod(hh * (phi_p - ph), 2 * np.pi)
            ok = np.isfinite(s) & (s > 1e-6)
            s_b = np.where(ok & (s < s_b), s, s_b)
        s_b = np.where(has_b & (s_b <= s_turn + 1e-9), s_b, np.inf)
        zb = zi + s_b * c
        b_in_z = np.abs(zb) <= geo.BARREL_HALF_Z
        s_b = np.where(b_in_z, s_b, np.inf)

        # disk candidate
        nd = next_d[idx]
        has_d = (nd < geo.N_DISK) & (c != 0)
        zt = np.sign(c) * geo.DISK_Z[np.minimum(nd, geo.N_DISK - 1)]
        with np.errstate(invalid="ignore", divide="ignore"):
            s_d = (zt - zi) / c
        s_d = np.where(has_d & (s_d > 0) & (s_d <= s_turn), s_d, np.inf)

        use_d = s_d < s_b
        s = np.where(use_d, s_d, s_b)
        live = np.isfinite(s)
        phn = np.where(live, ph + hh * s / R, ph)
        xn, yn = xc + hh * R * np.sin(phn), yc - hh * R * np.cos(phn)
        zn = np.where(use_d, zt, zi + s * c)
        rn = np.hypot(xn, yn)
        # a disk crossing outside the sensitive ring: inside rmin -> skip the disk; beyond rmax -> left the tracker
        skip = live & use_d & (rn < geo.DISK_RMIN)
        gone = live & use_d & (rn > geo.DISK_RMAX)
        hit = live & ~skip & ~gone

        # record hits
        hi = np.nonzero(hit)[0]
        layer = np.where(use_d[hi], 7 + nd[hi], 1 + nb[hi]).astype(np.uint8)
        out["particle"].append(idx[hi])
        out["layer"].append(layer)
        out["x"].append(xn[hi]), out["y"].append(yn[hi]), out["z"].append(zn[hi])
        out["pt"].append(pt[idx[hi]])
        out["phi_dir"].append(phn[hi])
        out["step"].append(np.full(hi.size, step))
        step += 1

        # multiple scattering at the hit
        ux_ = np.cos(phn[hi]) * pt[idx[hi]] / p[idx[hi]]
        uy_ = np.sin(phn[hi]) * pt[idx[hi]] / p[idx[hi]]
        uz_ = c[hi] * pt[idx[hi]] / p[idx[hi]]
        normal_cos = np.where(use_d[hi], np.abs(uz_), np.abs(ux_ * xn[hi] + uy_ * yn[hi]) / rn[hi])
        x0 = np.where(use_d[hi], geo.X0_DISK, geo.X0_BARREL) / np.maximum(normal_cos, 0.05)
        theta0 = _highland(p[idx[hi]], x0)
        t1, t2 = rng.normal(0.0, 1.0, hi.size) * theta0, rng.normal(0.0, 1.0, hi.size) * theta0
        # e1 = u x z / |u x z| (transverse), e2 = u x e1
        sin_t = np.hypot(ux_, uy_)
        e1x, e1y = uy_ / sin_t, -ux_ / sin_t
        e2x, e2y, e2z = -uz_ * e1y, uz_ * e1x, ux_ * e1y - uy_ * e1x
        vx_, vy_, vz_ = ux_ + t1 * e1x + t2 * e2x, uy_ + t1 * e1y + t2 * e2y, uz_ + t2 * e2z
        norm = np.sqrt(vx_ * vx_ + vy_ * vy_ + vz_ * vz_)
        vx_, vy_, vz_ = vx_ / norm, vy_ / norm, vz_ / norm
        g = idx[hi]
        pt[g] = p[g] * np.hypot(vx_, vy_)
        cot[g] = vz_ / np.hypot(vx_, vy_)
        phi[g] = np.arctan2(vy_, vx_)
        x[g], y[g], z[g] = xn[hi], yn[hi], zn[hi]
        next_b[g] = np.where(use_d[hi], next_b[g], next_b[g] + 1)
        next_d[g] = np.where(use_d[hi], next_d[g] + 1, next_d[g])
        # skipped disks: move on without a hit (state unchanged: the helix is the same)
        sk = idx[skip]
        next_d[sk] += 1
        active[idx[~live | gone]] = False

    out = {k: np.concatenate(v) for k, v in out.items()}
    order = np.lexsort((out.pop("step"), out["particle"]))
    return {k: v[order] for k, v in out.items()}
