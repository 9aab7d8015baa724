"""A documented parametric jet generator: QCD-like (background) versus
W/Z-like (signal) large-R jets, deterministic for a given seed.

This is the fallback of issue 5 when no event generator is available (it
needs no Pythia, no FastJet). It is a toy shower in the jet frame, not
physics-grade, but it has the structure that makes taggers sculpt mass:

Tuned by eye so that tau21 medians (about 0.38 signal, 0.72 QCD) and the
single-variable AUCs (tau21 about 0.88) are in the range of real W tagging,
and 40% of the QCD jets have a groomed mass in 50-300 GeV.

1. Kinematics. Truth pT from dN/dpT ~ pT^-4 (QCD) or pT^-2 (signal) on
   [280, 1050] GeV; jet eta uniform in [-2, 2].
2. Hardest splitting into prongs A (harder) and B, momentum fraction z of B
   and opening angle theta, at azimuth psi in the (eta, phi) plane, placed so
   that the pT-weighted centroid is the jet axis.
   - signal: a W (80.4 GeV, 50%) or Z (91.2 GeV) with Breit-Wigner widths
     2.1 / 2.5 GeV decays to two quarks: z uniform over the range where both
     prongs lie inside R = 0.8, theta = M / (pT sqrt(z (1 - z)));
   - QCD: theta log-uniform in [0.08, 0.8], z from dz/z on [0.04, 0.5]
     (soft-collinear), a quark (50%) or gluon prong A and a gluon prong B.
3. Fragmentation of each prong of energy E: n ~ 1 + Poisson(lambda) with
   lambda = c (1 + 1.3 ln(E / 10 GeV)), c = 2.0 for quarks and 3.6 for gluons;
   momentum fractions from a flat Dirichlet(0.6); each particle offset from
   its prong axis by a Gaussian of width s0 / sqrt(pT / 1 GeV), s0 = 0.25
   (quark) or 0.30 (gluon), capped at 0.4.
4. Wide-angle soft radiation: 1 + Poisson(8) (QCD, colour flows into the
   event) or 1 + Poisson(6) (colour-singlet signal) particles carrying 4% or
   3% of the pT, uniform in the R = 0.8 disc.
5. Reconstruction. Particles outside R = 0.8 are lost; at most the 60
   hardest are kept, ordered by pT descending. The jet four-momentum, pT
   and mass are sums of massless particles. Groomed ("soft-drop-like")
   mass: the wide-angle soft particles are removed and, if the measured
   prong momentum fraction pT_B / (pT_A + pT_B) is below z_cut = 0.1, prong
   B too; the mass of what remains. Jets are kept when the reconstructed pT
   is in [300, 1000] GeV.
6. Substructure (beta = 1, R0 = 0.8, all kept particles): tau1 about the
   jet axis (pT-weighted centroid), tau2 about the pT-weighted centroids of
   the particles of prong A and prong B (truth-assisted axes, an
   approximation of exclusive-kT axes), tau21 = tau2 / tau1; energy
   correlation functions e2, e3 with z_i = pT_i / sum pT, D2 = e3 / e2^3,
   C2 = e3 / e2^2.

Jet features (in this order): tau21, c2, d2, tau1, tau2, log(pT / 1 GeV),
n_constituents (the physics quantity; the taggers were trained on
n_constituents / 50, which their files record as the input's divide_by,
JET_INPUT_DIVIDE_BY). Constituent features: log(pT_i / pT_jet), delta eta,
delta phi (relative to the jet axis).
"""
import argparse

import numpy as np

F32 = np.float32
R = 0.8
JET_FEATURES = ["tau21", "c2", "d2", "tau1", "tau2", "log_pt", "multiplicity"]
CONSTITUENT_FEATURES = ["log_pt_fraction", "delta_eta", "delta_phi"]
# The normalisation the taggers' training applies to a raw input (float32
# division), written into each tagger file as that input's divide_by.
JET_INPUT_DIVIDE_BY = {"multiplicity": 50.0}
MAX_CONSTITUENTS = 60
Z_CUT = 0.1


def _power_law(rng, n, index, lo, hi):
    a = 1.0 - index
    u = rng.uniform(size=n)
    return (lo ** a + u * (hi ** a - lo ** a)) ** (1.0 / a)


def _hard_structure(rng, n, signal, pt):
    z = np.empty(n)
    theta = np.empty(n)
    gluon_a = np.zeros(n, bool)
    gluon_b = np.zeros(n, bool)
    if signal:
        is_z = rng.uniform(size=n) < 0.5
        mass = np.where(is_z, 91.19 + 2.5 / 2 * rng.standard_cauchy(n), 80.38 + 2.1 / 2 * rng.standard_cauchy(n))
        mass = np.clip(mass, 60.0, 110.0)
        zmin_arg = np.clip((mass / (pt * R)) ** 2, 0.0, 0.2499)
        zmin = 0.5 * (1 - np.sqrt(1 - 4 * zmin_arg))
        zz = rng.uniform(zmin, 1 - zmin)
        z = np.minimum(zz, 1 - zz)
        theta = mass / (pt * np.sqrt(z * (1 - z)))
    else:
        theta = np.exp(rng.uniform(np.log(0.08), np.log(R), n))
        z = np.exp(rng.uniform(np.log(0.04), np.log(0.5), n))
        gluon_a = rng.uniform(size=n) < 0.5
        gluon_b[:] = True
    return z, theta, gluon_a, gluon_b


def _fragment(rng, jet_index, energy, gluon, axis_eta, axis_phi):
    c = np.where(gluon, 3.6, 2.0)
    lam = c * (1 + 1.3 * np.log(np.maximum(energy, 10.0) / 10.0))
    count = 1 + rng.poisson(lam)
    owner = np.repeat(np.arange(len(energy)), count)
    g = rng.gamma(0.6, size=owner.size)
    share = g / np.bincount(owner, weights=g)[owner]
    pt = share * energy[owner]
    s0 = np.where(gluon[owner], 0.30, 0.25)
    sigma = np.minimum(s0 / np.sqrt(np.maximum(pt, 1e-3)), 0.4)
    deta = axis_eta[owner] + sigma * rng.standard_normal(owner.size)
    dphi = axis_phi[owner] + sigma * rng.standard_normal(owner.size)
    return jet_index[owner], pt, deta, dphi


def _four_momentum_mass(owner, n, pt, eta, phi):
    px = np.bincount(owner, pt * np.cos(phi), n)
    py = np.bincount(owner, pt * np.sin(phi), n)
    pz = np.bincount(owner, pt * np.sinh(eta), n)
    e = np.bincount(owner, pt * np.cosh(eta), n)
    m2 = e * e - px * px - py * py - pz * pz
    return np.sqrt(np.maximum(m2, 0.0)), np.hypot(px, py)


def _ecf(offsets, pt, deta, dphi, chunk=512):
    """e2, e3 (beta = 1) per jet with padded batched matrix products."""
    n = len(offsets) - 1
    e2 = np.zeros(n)
    e3 = np.zeros(n)
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        counts = np.diff(offsets[a:b + 1])
        width = int(counts.max()) if len(counts) else 0
        if width == 0:
            continue
        rows = np.repeat(np.arange(b - a), counts)
        cols = np.arange(offsets[b] - offsets[a]) - np.repeat(offsets[a:b] - offsets[a], counts)
        sl = slice(offsets[a], offsets[b])
        z = np.zeros((b - a, width))
        et = np.zeros((b - a, width))
        ph = np.zeros((b - a, width))
        z[rows, cols] = pt[sl]
        et[rows, cols] = deta[sl]
        ph[rows, cols] = dphi[sl]
        z /= z.sum(axis=1, keepdims=True)
        d = np.sqrt((et[:, :, None] - et[:, None, :]) ** 2 + (ph[:, :, None] - ph[:, None, :]) ** 2)
        e2[a:b] = 0.5 * np.einsum("bi,bj,bij->b", z, z, d)
        m = d * z[:, None, :]  # m[b, i, j] = z_j d_ij
        mdm = np.einsum("bij,bjk,bik->bi", m, d, m)  # sum_jk z_j z_k d_ij d_jk d_ik
        e3[a:b] = np.einsum("bi,bi->b", z, mdm) / 6.0
    return e2, e3


def generate(n, signal, seed):
    """Returns a dict of numpy arrays for about n jets (those passing the
    reconstructed-pT window; the same seed always gives the same jets)."""
    rng = np.random.default_rng(seed)
    pt_true = _power_law(rng, n, 2.0 if signal else 4.0, 280.0, 1050.0)
    eta_jet = rng.uniform(-2.0, 2.0, n)
    z, theta, gluon_a, gluon_b = _hard_structure(rng, n, signal, pt_true)
    psi = rng.uniform(0, 2 * np.pi, n)
    soft_fraction = 0.03 if signal else 0.04
    hard = pt_true * (1 - soft_fraction)
    ea, eb = hard * (1 - z), hard * z
    # prong A at +z theta, prong B at -(1-z) theta along psi: centroid at 0
    a_eta, a_phi = z * theta * np.cos(psi), z * theta * np.sin(psi)
    b_eta, b_phi = -(1 - z) * theta * np.cos(psi), -(1 - z) * theta * np.sin(psi)
    jets = np.arange(n)
    ja, pa, ea_, pa_ = _fragment(rng, jets, ea, gluon_a, a_eta, a_phi)
    jb, pb, eb_, pb_ = _fragment(rng, jets, eb, gluon_b, b_eta, b_phi)
    n_soft = 1 + rng.poisson(6 if signal else 8, n)
    js = np.repeat(jets, n_soft)
    gs = rng.gamma(1.0, size=js.size)
    ps = gs / np.bincount(js, gs, n)[js] * (pt_true * soft_fraction)[js]
    rs = R * np.sqrt(rng.uniform(size=js.size))
    ang = rng.uniform(0, 2 * np.pi, js.size)
    owner = np.concatenate([ja, jb, js])
    cpt = np.concatenate([pa, pb, ps])
    ceta = np.concatenate([ea_, eb_, rs * np.cos(ang)])
    cphi = np.concatenate([pa_, pb_, rs * np.sin(ang)])
    prong = np.concatenate([np.zeros(ja.size, np.int8), np.ones(jb.size, np.int8), np.full(js.size, 2, np.int8)])
    inside = np.hypot(ceta, cphi) < R
    owner, cpt, ceta, cphi, prong = owner[inside], cpt[inside], ceta[inside], cphi[inside], prong[inside]
    order = np.lexsort((-cpt, owner))
    owner, cpt, ceta, cphi, prong = owner[order], cpt[order], ceta[order], cphi[order], prong[order]
    counts = np.bincount(owner, minlength=n)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.arange(owner.size) - start[owner]
    keep = rank < MAX_CONSTITUENTS
    owner, cpt, ceta, cphi, prong = owner[keep], cpt[keep], ceta[keep], cphi[keep], prong[keep]

    abs_eta = eta_jet[owner] + ceta
    mass, pt = _four_momentum_mass(owner, n, cpt, abs_eta, cphi)
    pt_a = np.bincount(owner, cpt * (prong == 0), n)
    pt_b = np.bincount(owner, cpt * (prong == 1), n)
    z_meas = pt_b / np.maximum(pt_a + pt_b, 1e-9)
    groomed = (prong == 0) | ((prong == 1) & (z_meas[owner] >= Z_CUT))
    m_sd, _ = _four_momentum_mass(owner[groomed], n, cpt[groomed], abs_eta[groomed], cphi[groomed])

    # axes and N-subjettiness (beta = 1)
    w = np.bincount(owner, cpt, n)
    cx = np.bincount(owner, cpt * ceta, n) / w
    cy = np.bincount(owner, cpt * cphi, n) / w
    tau1 = np.bincount(owner, cpt * np.hypot(ceta - cx[owner], cphi - cy[owner]), n) / (w * R)
    axes = []
    for p in (0, 1):
        wp = np.bincount(owner, cpt * (prong == p), n)
        ok = wp > 0
        ax = np.where(ok, np.bincount(owner, cpt * ceta * (prong == p), n) / np.where(ok, wp, 1), cx)
        ay = np.where(ok, np.bincount(owner, cpt * cphi * (prong == p), n) / np.where(ok, wp, 1), cy)
        axes.append((ax, ay))
    d1 = np.hypot(ceta - axes[0][0][owner], cphi - axes[0][1][owner])
    d2 = np.hypot(ceta - axes[1][0][owner], cphi - axes[1][1][owner])
    tau2 = np.bincount(owner, cpt * np.minimum(d1, d2), n) / (w * R)
    offsets = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=n))]).astype(np.int64)
    e2, e3 = _ecf(offsets, cpt, ceta - cx[owner], cphi - cy[owner])
    tau21 = tau2 / np.maximum(tau1, 1e-12)
    d2f = e3 / np.maximum(e2, 1e-12) ** 3
    c2f = e3 / np.maximum(e2, 1e-12) ** 2
    mult = np.diff(offsets)

    sel = (pt >= 300.0) & (pt <= 1000.0) & (mult > 0)
    jet_features = np.stack([tau21, c2f, d2f, tau1, tau2, np.log(pt), mult], axis=1)
    cfeat = np.stack([np.log(cpt / pt[owner]), ceta - cx[owner], cphi - cy[owner]], axis=1)
    # restrict to selected jets, rebuilding the CSR arrays
    csel = sel[owner]
    new_offsets = np.concatenate([[0], np.cumsum(mult[sel])]).astype(np.uint64)
    return {
        "label": np.full(int(sel.sum()), 1 if signal else 0, np.uint8),
        "pt": pt[sel].astype(F32), "mass": m_sd[sel].astype(F32), "mass_ungroomed": mass[sel].astype(F32),
        "eta": eta_jet[sel].astype(F32), "weight": np.ones(int(sel.sum()), F32),
        "jet_features": jet_features[sel].astype(F32), "offsets": new_offsets,
        "constituent_features": cfeat[csel].astype(F32),
    }


def concatenate(parts):
    out = {}
    for key in parts[0]:
        if key == "offsets":
            pieces, base = [], 0
            for p in parts:
                pieces.append(p["offsets"][:-1] + base)
                base += int(p["offsets"][-1])
            out[key] = np.concatenate(pieces + [np.array([base], np.uint64)]).astype(np.uint64)
        else:
            out[key] = np.concatenate([p[key] for p in parts])
    return out


def sample(n_background, n_signal, seed):
    """Background jets then signal jets, each from its own derived seed."""
    return concatenate([generate(n_background, False, seed * 2 + 1), generate(n_signal, True, seed * 2 + 2)])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--background", type=int, default=20000)
    ap.add_argument("--signal", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, help=".npz file")
    a = ap.parse_args()
    s = sample(a.background, a.signal, a.seed)
    np.savez_compressed(a.out, jet_feature_names=np.array(JET_FEATURES),
                        constituent_feature_names=np.array(CONSTITUENT_FEATURES), **s)
    print(f"{a.out}: {len(s['pt'])} jets, {len(s['constituent_features'])} constituents")


if __name__ == "__main__":
    main()
