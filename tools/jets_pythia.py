"""Jets from a real generator: Pythia 8 (PyPI `pythia8mc`) and anti-kT
R = 0.8 clustering with FastJet (PyPI `fastjet`), written as a TrigML jet
file (tools/jets_file.py) with the same features as jets_parametric.py.

    pip install pythia8mc fastjet      # pythia8mc compiles from source (~40 min, once)
    python3 tools/jets_pythia.py --process qcd --events 20000 --out qcd.bin
    python3 tools/jets_pythia.py --process wprime --events 20000 --out wz.bin

Processes (13 TeV pp, MPI and hadronisation on):
  qcd     HardQCD:all, pTHatMin 300 GeV: background (label 0), every jet
  wprime  W' (2 TeV) -> W Z, both hadronic: signal (label 1), jets within
          Delta R < 0.6 of a hadronically decaying W or Z whose two quarks
          are both inside Delta R < 0.8 of the jet axis

Jets: visible final-state particles with |eta| < 2.5 and pT > 0.5 GeV,
anti-kT R = 0.8, |eta_jet| < 2.0, pT in [300, 1000] GeV, the two leading
jets of each event. Groomed mass: soft drop with beta = 0, z_cut = 0.1
(modified mass drop) on the Cambridge/Aachen reclustering of the jet's
particles, implemented here. tau2 uses the two soft-drop prongs as axes.
Features as in jets_parametric.py.
"""
import argparse
import sys

import numpy as np

import jets_file
import jets_parametric as jp

R = 0.8


def _delta_phi(a, b):
    return (a - b + np.pi) % (2 * np.pi) - np.pi


def soft_drop(pt, eta, phi, z_cut=0.1):
    """C/A reclustering of the particles (angular order, R = infinity) and
    mMDT declustering. Returns (kept mask, prong-B mask) over the particles:
    kept = the groomed jet, prong B = the softer branch at the first
    splitting that passes z > z_cut (empty if none)."""
    n = len(pt)
    members = [[i] for i in range(n)]
    px, py = pt * np.cos(phi), pt * np.sin(phi)
    pz, e = pt * np.sinh(eta), pt * np.cosh(eta)
    vec = np.stack([px, py, pz, e], axis=1).astype(np.float64)
    alive = list(range(n))
    history = {}
    nxt = n
    while len(alive) > 1:
        v = vec[alive]
        ptv = np.hypot(v[:, 0], v[:, 1])
        yv = 0.5 * np.log((v[:, 3] + v[:, 2]) / np.maximum(v[:, 3] - v[:, 2], 1e-12))
        ph = np.arctan2(v[:, 1], v[:, 0])
        d = (yv[:, None] - yv[None, :]) ** 2 + _delta_phi(ph[:, None], ph[None, :]) ** 2
        np.fill_diagonal(d, np.inf)
        a, b = np.unravel_index(np.argmin(d), d.shape)
        ia, ib = alive[a], alive[b]
        vec = np.vstack([vec, vec[ia] + vec[ib]])
        members.append(members[ia] + members[ib])
        history[nxt] = (ia, ib, ptv[a], ptv[b])
        alive = [k for k in alive if k not in (ia, ib)] + [nxt]
        nxt += 1
    node = alive[0]
    kept = np.ones(n, bool)
    prong_b = np.zeros(n, bool)
    while node in history:
        ia, ib, pa, pb = history[node]
        if min(pa, pb) / (pa + pb) > z_cut:
            soft = ib if pb < pa else ia
            prong_b[members[soft]] = True
            return kept, prong_b
        drop = ib if pb < pa else ia
        kept[members[drop]] = False
        node = ia if pb < pa else ib
    return kept, prong_b


def jet_record(pt, eta, phi, eta_jet, phi_jet):
    """Features of one jet from its particles (TrigML conventions)."""
    order = np.argsort(-pt)[:jp.MAX_CONSTITUENTS]
    pt, eta, phi = pt[order], eta[order], phi[order]
    deta = eta - eta_jet
    dphi = _delta_phi(phi, phi_jet)
    kept, prong_b = soft_drop(pt, eta, phi)
    def mass_pt(mask):
        p = pt[mask]
        px, py = (p * np.cos(phi[mask])).sum(), (p * np.sin(phi[mask])).sum()
        pz, e = (p * np.sinh(eta[mask])).sum(), (p * np.cosh(eta[mask])).sum()
        return np.sqrt(max(e * e - px * px - py * py - pz * pz, 0.0)), np.hypot(px, py)
    m, jpt = mass_pt(np.ones(len(pt), bool))
    m_sd, _ = mass_pt(kept)
    w = pt.sum()
    cx, cy = (pt * deta).sum() / w, (pt * dphi).sum() / w
    tau1 = (pt * np.hypot(deta - cx, dphi - cy)).sum() / (w * R)
    axes = []
    for mask in (kept & ~prong_b, prong_b):
        if mask.any():
            axes.append(((pt[mask] * deta[mask]).sum() / pt[mask].sum(), (pt[mask] * dphi[mask]).sum() / pt[mask].sum()))
        else:
            axes.append((cx, cy))
    d1 = np.hypot(deta - axes[0][0], dphi - axes[0][1])
    d2 = np.hypot(deta - axes[1][0], dphi - axes[1][1])
    tau2 = (pt * np.minimum(d1, d2)).sum() / (w * R)
    off = np.array([0, len(pt)])
    e2, e3 = jp._ecf(off, pt, deta - cx, dphi - cy)
    feats = [tau2 / max(tau1, 1e-12), e3[0] / max(e2[0], 1e-12) ** 2, e3[0] / max(e2[0], 1e-12) ** 3,
             tau1, tau2, np.log(jpt), len(pt) / 50.0]
    cfeat = np.stack([np.log(pt / jpt), deta - cx, dphi - cy], axis=1)
    return jpt, m_sd, np.array(feats), cfeat


def generate(process, events, seed):
    import fastjet
    import pythia8mc as pythia8
    py = pythia8.Pythia("", False)
    settings = ["Beams:eCM = 13000.", "Next:numberCount = 0", "Random:setSeed = on", f"Random:seed = {seed}"]
    if process == "qcd":
        settings += ["HardQCD:all = on", "PhaseSpace:pTHatMin = 300."]
    else:
        settings += ["NewGaugeBoson:ffbar2Wprime = on", "34:m0 = 2000.", "34:onMode = off", "34:onIfMatch = 23 24",
                     "24:onMode = off", "24:onIfAny = 1 2 3 4 5", "23:onMode = off", "23:onIfAny = 1 2 3 4 5"]
    for s in settings:
        py.readString(s)
    py.init()
    jet_def = fastjet.JetDefinition(fastjet.antikt_algorithm, R)
    rec = {"pt": [], "mass": [], "jf": [], "cf": []}
    for _ in range(events):
        if not py.next():
            continue
        ev = py.event
        parts, bosons = [], []
        for k in range(ev.size()):
            p = ev[k]
            if p.isFinal() and p.isVisible() and abs(p.eta()) < 2.5 and p.pT() > 0.5:
                parts.append(fastjet.PseudoJet(p.px(), p.py(), p.pz(), p.e()))
            if process != "qcd" and p.idAbs() in (23, 24):
                d1, d2 = ev[p.daughter1()], ev[p.daughter2()]
                if 1 <= d1.idAbs() <= 5 and 1 <= d2.idAbs() <= 5:
                    bosons.append((p.eta(), p.phi(), d1.eta(), d1.phi(), d2.eta(), d2.phi()))
        cs = fastjet.ClusterSequence(parts, jet_def)
        jets = sorted(cs.inclusive_jets(100.0), key=lambda j: -j.pt())[:2]
        for j in jets:
            if abs(j.eta()) > 2.0 or not 300 <= j.pt() <= 1000:
                continue
            if process != "qcd":
                def dr(e, f):
                    return np.hypot(e - j.eta(), _delta_phi(f, j.phi()))
                if not any(dr(b[0], b[1]) < 0.6 and dr(b[2], b[3]) < R and dr(b[4], b[5]) < R for b in bosons):
                    continue
            c = j.constituents()
            pt = np.array([x.pt() for x in c])
            eta = np.array([x.eta() for x in c])
            phi = np.array([x.phi_std() for x in c])
            jpt, m_sd, feats, cfeat = jet_record(pt, eta, phi, j.eta(), j.phi_std())
            rec["pt"].append(jpt)
            rec["mass"].append(m_sd)
            rec["jf"].append(feats)
            rec["cf"].append(cfeat)
    n = len(rec["pt"])
    counts = [len(c) for c in rec["cf"]]
    return {"pt": np.array(rec["pt"], np.float32), "mass": np.array(rec["mass"], np.float32),
            "weight": np.ones(n, np.float32), "label": np.full(n, 0 if process == "qcd" else 1, np.uint8),
            "jet_features": np.array(rec["jf"], np.float32).reshape(n, len(jp.JET_FEATURES)),
            "offsets": np.concatenate([[0], np.cumsum(counts)]).astype(np.uint64),
            "constituent_features": (np.concatenate(rec["cf"]) if n else np.zeros((0, 3))).astype(np.float32)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--process", choices=["qcd", "wprime"], required=True)
    ap.add_argument("--events", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    jets = generate(a.process, a.events, a.seed)
    jets_file.write_jets(a.out, jets)
    print(f"{a.out}: {len(jets['pt'])} jets, median groomed mass {np.median(jets['mass']) if len(jets['pt']) else 0:.1f} GeV",
          file=sys.stderr)


if __name__ == "__main__":
    main()
