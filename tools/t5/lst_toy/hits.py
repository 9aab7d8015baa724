"""Measured anchor hits (the toy's mini-doublets) from true crossings.

- Mini-doublet efficiency: 97% times a stub-bending turn-on in the local pT,
  1 / (1 + exp(-(pT - 0.75 GeV) / 0.05 GeV)) (LST's MD cut keeps pT >~ 0.8 GeV).
- Smearing: r-phi Gaussian (pitch/sqrt(12)); along the strip the cell
  centre (z in the barrel, r in the endcap; geometry.py), i.e. a flat error.
- Stub bend (kept by the MD, used only to build segments, like LST's MD
  direction): angle between the x-y direction of motion and the radial
  direction, Gaussian error SIGMA_BEND; noise MDs get a flat random bend.
- Noise: Poisson(NOISE_PER_LAYER) random anchors per layer (per side for disks).
- Each MD is one anchor hit: md_r = sqrt(x^2+y^2), md_eta = asinh(z/r) and
  md_phi = atan2(y, x) as seen from the origin, all stored as float32.
"""
import numpy as np

from . import geometry as geo

MD_EFFICIENCY = 0.97
TURN_ON_PT, TURN_ON_WIDTH = 0.75, 0.05
NOISE_PER_LAYER = 10
# stub bend: the angle between the track's x-y direction and the radial
# direction, measured by the module's two sensors (pitch / spacing)
SIGMA_BEND = 0.015


def _quantize(v, lo, pitch, hi):
    """Centre of the pixel/strip cell (grid starting at lo) that holds v, kept below hi."""
    centre = lo + pitch * (np.floor((v - lo) / pitch) + 0.5)
    return np.minimum(centre, hi - 0.5 * pitch)


def _noise(rng):
    out = {k: [] for k in ("x", "y", "z", "layer", "particle", "pt", "bend")}
    for lay in range(1, 7 + geo.N_DISK):
        for side in ((1.0,) if lay <= geo.N_BARREL else (1.0, -1.0)):
            k = rng.poisson(NOISE_PER_LAYER)
            ph = rng.uniform(-np.pi, np.pi, k)
            if lay <= geo.N_BARREL:
                rr = np.full(k, geo.BARREL_R[lay - 1])
                zz = rng.uniform(-geo.BARREL_HALF_Z, geo.BARREL_HALF_Z, k)
            else:
                rr = rng.uniform(geo.DISK_RMIN, geo.DISK_RMAX, k)
                zz = np.full(k, side * geo.DISK_Z[lay - 7])
            out["x"].append(rr * np.cos(ph)), out["y"].append(rr * np.sin(ph)), out["z"].append(zz)
            out["layer"].append(np.full(k, lay, np.uint8)), out["particle"].append(np.full(k, -1, np.int64))
            out["pt"].append(np.full(k, np.inf))
            out["bend"].append(rng.uniform(-0.6, 0.6, k))
    return {k: np.concatenate(v) for k, v in out.items()}


def measure(rng, crossings):
    """Anchor hits from true crossings plus noise. Returns dict: x, y, z
    (float64 measured), layer (uint8), particle (int64, -1 = noise).

    Along the strip the measurement is the centre of the pixel/strip cell
    (barrel: cells in z from -120 cm; disks: PS cells in r from 23 cm, 2S
    cells from 60 cm), so the error is flat over the cell length and a hit
    always stays on its own module type."""
    n = crossings["particle"].size
    eff = MD_EFFICIENCY / (1.0 + np.exp(-(crossings["pt"] - TURN_ON_PT) / TURN_ON_WIDTH))
    keep = rng.random(n) < eff
    c = {k: np.asarray(crossings[k])[keep] for k in ("x", "y", "z", "layer", "particle")}
    bend = crossings["phi_dir"] - np.arctan2(crossings["y"], crossings["x"])
    c["bend"] = ((bend + np.pi) % (2 * np.pi) - np.pi)[keep] + rng.normal(0.0, SIGMA_BEND, keep.sum())
    c["particle"] = c["particle"].astype(np.int64)
    noise = _noise(rng)
    c = {k: np.concatenate([c[k], noise[k]]) for k in c}
    x, y, z, layer = c["x"], c["y"], c["z"], c["layer"]
    n = x.size
    r = np.hypot(x, y)
    phi = np.arctan2(y, x)
    ps = geo.is_ps(layer, r)
    sigma_rphi = np.where(ps, geo.SIGMA_RPHI_PS, geo.SIGMA_RPHI_2S)
    length = np.where(ps, geo.LENGTH_PS, geo.LENGTH_2S)
    phi_m = phi + rng.normal(0.0, 1.0, n) * sigma_rphi / r
    disk = layer >= 7
    z_cell = _quantize(z, -geo.BARREL_HALF_Z, length, geo.BARREL_HALF_Z)
    r_cell = np.where(ps, _quantize(r, geo.DISK_RMIN, length, geo.DISK_PS_RMAX),
                      _quantize(r, geo.DISK_PS_RMAX, length, geo.DISK_RMAX))
    r_m = np.where(disk, r_cell, r)
    z_m = np.where(disk, z, z_cell)
    return dict(x=r_m * np.cos(phi_m), y=r_m * np.sin(phi_m), z=z_m, layer=layer, particle=c["particle"],
                bend=c["bend"])


def md_columns(hits):
    """The float32 MD columns of the batch (computed in float64, rounded once)."""
    x, y, z = hits["x"], hits["y"], hits["z"]
    r = np.hypot(x, y)
    return dict(md_x=x.astype(np.float32), md_y=y.astype(np.float32), md_z=z.astype(np.float32),
                md_r=r.astype(np.float32), md_eta=np.arcsinh(z / r).astype(np.float32),
                md_phi=np.arctan2(y, x).astype(np.float32), md_layer=hits["layer"].astype(np.uint8))
