"""Charged particles of one toy event: a ttbar-like hard scatter plus pile-up.

All particles are prompt (produced at their vertex), charge +-1, pion mass
neglected (beta = 1).

- Beam spot: x, y ~ N(0, 15 um); z ~ N(0, 4 cm). Each pile-up interaction and
  the hard scatter get their own vertex.
- Pile-up: Poisson(mu) interactions, each with Poisson(8) charged tracks
  with pT >= 0.6 GeV, flat in |eta| < 2.7, pT from a Tsallis/Hagedorn form
  dN/dpT ~ pT (1 + pT/(n T))^-n, n = 7, T = 0.17 GeV (about 8 tracks above
  0.6 GeV per minimum-bias interaction with dN/deta ~ 6).
- Hard scatter ("ttbar-like"): 4 + Poisson(1.5) jets with pT = 25 + Exp(60) GeV,
  eta ~ N(0, 1.3) within |eta| < 2.5; 60% of the jet pT goes to charged
  particles, shared by a Dirichlet(0.7) split among 4 + Poisson(pT_jet/8)
  constituents spread around the jet axis by N(0, min(0.25, 0.3/sqrt(pT)));
  1-2 isolated leptons with pT = 20 + Exp(30) GeV; an underlying event of
  Poisson(15) soft tracks from the same vertex.
- Displaced (only when asked for: generate_particles(..., displaced=mu)):
  Poisson(mu) long-lived decays per event (K0s/Lambda- or LLP-like), each at
  a transverse flight distance Exp(DECAY_RXY_MEAN) within
  [DECAY_RXY_MIN, DECAY_RXY_MAX] along a parent direction flat in phi and in
  |eta| < 2.2, giving two daughters of pT 1 + Exp(4) GeV spread around the
  parent by N(0, DECAY_SPREAD) in eta and phi. Their transverse impact
  parameters reach several cm, LST's displaced category (sim vertex
  rxy > 0.1 cm in the T5 training notebook, cmssw
  RecoTracker/LSTCore/standalone/analysis/DNN/train_T5_DNN.ipynb @5be45754).
  With mu = 0 no random number is drawn for them, so the prompt-only
  samples stay what they were.
Particles below 0.6 GeV or outside |eta| < 3 are dropped.
"""
import numpy as np

PT_MIN = 0.6
ETA_MAX_SOFT = 2.7
BEAMSPOT_XY = 0.0015
BEAMSPOT_Z = 4.0

DECAY_RXY_MEAN, DECAY_RXY_MIN, DECAY_RXY_MAX = 4.0, 0.2, 15.0  # cm
DECAY_SPREAD = 0.35
DISPLACED_VXY = 0.1  # cm: sim vertices farther out than this make a displaced particle

_TSALLIS_N, _TSALLIS_T = 7.0, 0.17
_GRID = np.linspace(PT_MIN, 30.0, 20001)
_PDF = _GRID * (1.0 + _GRID / (_TSALLIS_N * _TSALLIS_T)) ** (-_TSALLIS_N)
_CDF = np.concatenate([[0.0], np.cumsum(0.5 * (_PDF[1:] + _PDF[:-1]) * np.diff(_GRID))])
_CDF /= _CDF[-1]


def soft_pt(rng, n):
    """pT of soft (minimum-bias-like) tracks above PT_MIN, by inverse CDF."""
    return np.interp(rng.random(n), _CDF, _GRID)


def _vertex(rng, n):
    return (rng.normal(0.0, BEAMSPOT_XY, n), rng.normal(0.0, BEAMSPOT_XY, n), rng.normal(0.0, BEAMSPOT_Z, n))


def _soft_tracks(rng, n, vx, vy, vz):
    return dict(pt=soft_pt(rng, n), eta=rng.uniform(-ETA_MAX_SOFT, ETA_MAX_SOFT, n),
                phi=rng.uniform(-np.pi, np.pi, n), vx=vx, vy=vy, vz=vz)


def _hard_scatter(rng, hvx, hvy, hvz):
    pts, etas, phis = [], [], []
    n_jets = 4 + rng.poisson(1.5)
    for _ in range(n_jets):
        pt_jet = 25.0 + rng.exponential(60.0)
        eta_jet = rng.normal(0.0, 1.3)
        while abs(eta_jet) > 2.5:
            eta_jet = rng.normal(0.0, 1.3)
        phi_jet = rng.uniform(-np.pi, np.pi)
        n_c = 4 + rng.poisson(pt_jet / 8.0)
        frac = rng.dirichlet(np.full(n_c, 0.7))
        pt_c = 0.6 * pt_jet * frac
        spread = np.minimum(0.25, 0.3 / np.sqrt(np.maximum(pt_c, 1e-3)))
        pts.append(pt_c)
        etas.append(eta_jet + rng.normal(0.0, 1.0, n_c) * spread)
        phis.append(phi_jet + rng.normal(0.0, 1.0, n_c) * spread)
    n_lep = 1 + rng.integers(0, 2)
    pts.append(20.0 + rng.exponential(30.0, n_lep))
    etas.append(np.clip(rng.normal(0.0, 1.2, n_lep), -2.5, 2.5))
    phis.append(rng.uniform(-np.pi, np.pi, n_lep))
    n_ue = rng.poisson(15)
    ue = _soft_tracks(rng, n_ue, None, None, None)
    pts.append(ue["pt"]), etas.append(ue["eta"]), phis.append(ue["phi"])
    pt, eta, phi = np.concatenate(pts), np.concatenate(etas), np.concatenate(phis)
    n = pt.size
    return dict(pt=pt, eta=eta, phi=phi, vx=np.full(n, hvx), vy=np.full(n, hvy), vz=np.full(n, hvz))


def _decays(rng, n_decays, hvx, hvy, hvz):
    """Two daughters per long-lived decay, produced at the decay vertex."""
    u = rng.random(n_decays)
    lo, hi = np.exp(-DECAY_RXY_MIN / DECAY_RXY_MEAN), np.exp(-DECAY_RXY_MAX / DECAY_RXY_MEAN)
    rxy = -DECAY_RXY_MEAN * np.log(lo - u * (lo - hi))  # truncated exponential by inverse CDF
    phi_parent = rng.uniform(-np.pi, np.pi, n_decays)
    eta_parent = rng.uniform(-2.2, 2.2, n_decays)
    parent = np.repeat(np.arange(n_decays), 2)
    vx = hvx + (rxy * np.cos(phi_parent))[parent]
    vy = hvy + (rxy * np.sin(phi_parent))[parent]
    vz = hvz + (rxy * np.sinh(eta_parent))[parent]
    n = parent.size
    return dict(pt=1.0 + rng.exponential(4.0, n), eta=eta_parent[parent] + rng.normal(0.0, DECAY_SPREAD, n),
                phi=phi_parent[parent] + rng.normal(0.0, DECAY_SPREAD, n), vx=vx, vy=vy, vz=vz)


def generate_particles(rng, pileup, displaced=0.0):
    """Particles of one event as a dict of float64 arrays:
    pt, eta, phi (at production), vx, vy, vz, q (+-1), is_hard (bool);
    displaced: mean number of long-lived decays (0: none, no draws)."""
    hvx, hvy, hvz = _vertex(rng, 1)
    parts = [_hard_scatter(rng, hvx[0], hvy[0], hvz[0])]
    n_hard = parts[0]["pt"].size
    n_pu = rng.poisson(pileup) if pileup > 0 else 0
    if n_pu:
        vx, vy, vz = _vertex(rng, n_pu)
        per = rng.poisson(8.0, n_pu)
        idx = np.repeat(np.arange(n_pu), per)
        parts.append(_soft_tracks(rng, idx.size, vx[idx], vy[idx], vz[idx]))
    if displaced > 0:
        parts.append(_decays(rng, rng.poisson(displaced), hvx[0], hvy[0], hvz[0]))
    out = {k: np.concatenate([p[k] for p in parts]) for k in ("pt", "eta", "phi", "vx", "vy", "vz")}
    out["phi"] = (out["phi"] + np.pi) % (2 * np.pi) - np.pi
    n = out["pt"].size
    out["q"] = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    out["is_hard"] = np.arange(n) < n_hard
    keep = (out["pt"] >= PT_MIN) & (np.abs(out["eta"]) < 3.0)
    return {k: v[keep] for k, v in out.items()}
