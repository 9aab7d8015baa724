"""The toy CMS-like outer tracker: surfaces, field, resolutions, material.

Documented choices (docs/t5_training.md repeats them):

- 6 barrel layers (md_layer 1-6) at r = 23, 36, 51, 68, 86, 110 cm, |z| <= 120 cm.
  Layers 1-3 are PS (pixel-strip) modules, 4-6 are 2S (strip-strip) modules.
- 5 endcap disks per side (md_layer 7-11) at |z| = 131, 156, 185, 220, 265 cm,
  23 cm <= r <= 110 cm. Rings with r < 60 cm are PS, the rest 2S.
- Solenoid field 3.8 T along +z: a track of pT [GeV] has helix radius
  R [cm] = pT / (2 k2Rinv1GeVf), k2Rinv1GeVf = 2.99792458e-3 * 3.8 / 2.
- Anchor-hit resolution. PS: 100 um x 1.5 mm macro-pixels, 2S: 90 um x 5 cm
  strips. Across the strip (r-phi) the error is Gaussian with sigma =
  pitch/sqrt(12); along the strip (z in the barrel, r in the endcap) it is
  flat over the pixel/strip length (the hit is somewhere on the strip).
- Material: 2.0% X0 per barrel layer and 2.5% X0 per disk at normal
  incidence (scaled by the path length), Highland multiple scattering.
"""
import numpy as np

K2RINV1GEVF = (2.99792458e-3 * 3.8) / 2  # cms-sw LSTCore Common.h
FIELD_T = 3.8

BARREL_R = np.array([23.0, 36.0, 51.0, 68.0, 86.0, 110.0])
BARREL_HALF_Z = 120.0
BARREL_PS = np.array([True, True, True, False, False, False])

DISK_Z = np.array([131.0, 156.0, 185.0, 220.0, 265.0])
DISK_RMIN = 23.0
DISK_RMAX = 110.0
DISK_PS_RMAX = 60.0

N_BARREL = len(BARREL_R)
N_DISK = len(DISK_Z)

# across the strip (r-phi), Gaussian sigma in cm
SIGMA_RPHI_PS = 0.0100 / np.sqrt(12.0)
SIGMA_RPHI_2S = 0.0090 / np.sqrt(12.0)
# along the strip: full length of the pixel/strip, flat, cm
LENGTH_PS = 0.15
LENGTH_2S = 5.0

X0_BARREL = 0.020
X0_DISK = 0.025


def radius_from_pt(pt):
    """Helix radius in cm of a track of transverse momentum pt (GeV)."""
    return np.asarray(pt, dtype=np.float64) / (2.0 * K2RINV1GEVF)


def pt_from_radius(radius):
    return 2.0 * K2RINV1GEVF * np.asarray(radius, dtype=np.float64)


def layer_number(is_disk, index):
    """md_layer numbering: barrel 1-6, endcap 7-11 (LST: layers + 6 * (subdet == endcap))."""
    return np.where(is_disk, 7 + index, 1 + index).astype(np.uint8)


def successors(layer):
    """Logical layers a segment may go to from `layer` (the toy module map):
    barrel l -> l+1, barrel l -> first disk (barrel-endcap transition), disk d -> d+1."""
    if layer <= N_BARREL:
        out = [layer + 1] if layer < N_BARREL else []
        return out + [7]
    return [layer + 1] if layer < 6 + N_DISK else []


def layer_chains(length):
    """All chains of `length` consecutive logical layers allowed by successors()."""
    chains = [[l] for l in range(1, 7 + N_DISK)]
    for _ in range(length - 1):
        chains = [c + [n] for c in chains for n in successors(c[-1])]
    return chains


def is_ps(layer, r):
    """Whether an anchor hit on this layer at this radius sits on a PS module."""
    layer = np.asarray(layer)
    barrel_ps = np.isin(layer, np.nonzero(BARREL_PS)[0] + 1)
    return np.where(layer <= N_BARREL, barrel_ps, np.asarray(r) < DISK_PS_RMAX)
