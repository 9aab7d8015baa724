"""Jets from a real generator: Pythia 8 (PyPI `pythia8mc`) and FastJet
(PyPI `fastjet`, with its fastjet-contrib soft drop, N-subjettiness and
energy correlators), with the same features as jets_parametric.py; and the
compact committed sample (tools/data/jets_pythia.npz) that the study and
the tests load without a generator.

    pip install pythia8mc fastjet      # pythia8mc compiles from source (52 min on one core, once)
    python3 tools/taggers/jets_pythia.py generate --process qcd --events 2000 --seed 1 --out /tmp/qcd.npz
    python3 tools/taggers/jets_pythia.py generate ... --out jets.bin     # a TrigML jet file instead

The committed sample (3144 s of generation on one core, 108 events/s):

    g="python3 tools/taggers/jets_pythia.py generate --batch 500"
    $g --process qcd --events 36000 --seed 101 --out /tmp/qcd_train.npz
    $g --process wprime --events 19000 --seed 102 --out /tmp/wz_train.npz
    $g --process qcd --events 92000 --seed 202 --out /tmp/qcd_map.npz
    $g --process qcd --events 92000 --seed 303 --out /tmp/qcd_test.npz
    $g --process qcd --events 92000 --seed 305 --out /tmp/qcd_test2.npz
    $g --process wprime --events 9500 --seed 304 --out /tmp/wz_test.npz
    python3 tools/taggers/jets_pythia.py compact --provenance "..." train:/tmp/qcd_train.npz,/tmp/wz_train.npz \
        map:/tmp/qcd_map.npz test:/tmp/qcd_test.npz,/tmp/qcd_test2.npz,/tmp/wz_test.npz

Events (13 TeV pp, Pythia 8 defaults: Monash tune, MPI, ISR/FSR and
hadronisation on; generated in batches with Pythia::nextBatch):
  qcd     HardQCD:all, pTHatMin 300 GeV: background (label 0), every jet
  wprime  W' -> W Z (Wprime:coup2WZ = 1, masses 0.8, 1.2, 1.6 and 2.0 TeV, a quarter of
          the events each, so that the boson pT covers 300-1000 GeV rather
          than piling up at m(W')/2), W and Z forced to quarks (d u s c b):
          signal (label 1), jets within Delta R < 0.6 of a hadronically
          decaying W or Z whose two quarks are both inside Delta R < 0.8 of
          the jet axis (the usual "fully merged" truth label)

Jets: visible final-state particles (status > 0, no neutrinos) with
|eta| < 2.5 and pT > 0.5 GeV, anti-kT R = 0.8 (FastJet), the two leading
jets of each event kept when |eta_jet| < 2.0, 300 <= pT <= 1000 GeV and
they have at least two constituents (about 1 QCD jet in 3000 is a single
isolated photon or lepton, whose substructure ratios are undefined).
Substructure from the jet's constituents reclustered with Cambridge/Aachen
(R = 10, so the whole jet is one exclusive jet):
  groomed mass  soft drop (Larkoski, Marzani, Soyez, Thaler,
                arXiv:1402.2657) with beta = 0, z_cut = 0.1, R0 = 0.8:
                the modified mass drop, as CMS's m_SD
  tau1, tau2    N-subjettiness (Thaler, Van Tilburg, arXiv:1011.2268),
                beta = 1, normalised by sum pT R0 with R0 = 0.8,
                one-pass-kT axes (as CMS)
  c2, d2        energy correlation ratios C2 = e3/e2^2, D2 = e3/e2^3 with
                beta = 1 (Larkoski, Salam, Thaler arXiv:1305.0007;
                Larkoski, Moult, Neill arXiv:1409.6298), on the ungroomed
                jet as in jets_parametric.py
Jet features (jets_parametric.JET_FEATURES): tau21, c2, d2, tau1, tau2,
log(pT / 1 GeV), n_constituents (raw; the taggers divide it by 50 themselves,
jets_parametric.JET_INPUT_DIVIDE_BY). Constituent features (at most the 60
hardest): log(pT_i / pT_jet), delta eta, delta phi to the jet axis.

The compact sample (`compact`, `load`) stores per jet pt, groomed mass,
tau1, tau2, c2, d2 as float16 (relative precision 2^-11: 0.5 GeV at 1 TeV)
and the multiplicity as uint8, grouped by part (train / map / test) and
label with the group sizes in `group_counts`, each group sorted by pT;
tau21 and log pT are recomputed on loading, in float32. It also keeps the
constituents (float16) of 500 held-out jets per label for Deep Sets and the
C host demos. Parts come from different Pythia seeds, so they are
statistically independent.
"""
import argparse
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: F401,E402  (tools subfolders and python/ on sys.path)
import jets_file  # noqa: E402
import jets_parametric as jp  # noqa: E402

R = 0.8
PT_MIN, PT_MAX, ETA_MAX = 300.0, 1000.0, 2.0
PARTS = ("train", "map", "test")
WPRIME_MASSES = (800.0, 1200.0, 1600.0, 2000.0)
SAMPLE = checkout_paths.TOOLS / "data" / "jets_pythia.npz"
CONSTITUENT_JETS_PER_LABEL = 500   # held-out jets per label that keep their constituents


# ------------------------------------------------------------------ generator

def pythia(process, seed, wprime_mass=2000.0):
    """A configured, initialised Pythia for one process."""
    import pythia8mc
    py = pythia8mc.Pythia()
    settings = ["Beams:eCM = 13000.", "Print:quiet = on", "Random:setSeed = on", f"Random:seed = {seed}"]
    if process == "qcd":
        settings += ["HardQCD:all = on", "PhaseSpace:pTHatMin = 300."]
    else:
        # W' (PDG 34) -> W Z with both bosons to quarks; Wprime:coup2WZ is 0 by
        # default (the W' -> WZ width vanishes), 1 opens the channel
        settings += ["NewGaugeBoson:ffbar2Wprime = on", "Wprime:coup2WZ = 1.", f"34:m0 = {wprime_mass}", "34:onMode = off",
                     "34:onIfMatch = 23 24", "24:onMode = off", "24:onIfAny = 1 2 3 4 5",
                     "23:onMode = off", "23:onIfAny = 1 2 3 4 5"]
    for s in settings:
        if not py.readString(s):
            raise RuntimeError(f"Pythia rejected setting {s!r}")
    if not py.init():
        raise RuntimeError("Pythia init failed")
    return py


def _four_vectors(px, py, pz, e):
    import awkward as ak
    return ak.zip({"px": px, "py": py, "pz": pz, "E": e}, with_name="Momentum4D")


def _pt_eta_phi(px, py, pz):
    pt = np.hypot(px, py)
    return pt, np.arcsinh(pz / np.maximum(pt, 1e-12)), np.arctan2(py, px)


def _delta_r(eta1, phi1, eta2, phi2):
    return np.hypot(eta1 - eta2, (phi1 - phi2 + np.pi) % (2 * np.pi) - np.pi)


def visible_particles(prt):
    """Final-state particles a detector would see: status > 0, not a
    neutrino, |eta| < 2.5, pT > 0.5 GeV (per event, awkward)."""
    p = prt.p
    pt = np.hypot(p.px, p.py)
    eta = np.arcsinh(p.pz / np.maximum(pt, 1e-12))
    ida = abs(prt.id)
    keep = (prt.status > 0) & (ida != 12) & (ida != 14) & (ida != 16) & (abs(eta) < 2.5) & (pt > 0.5)
    return _four_vectors(p.px[keep], p.py[keep], p.pz[keep], p.e[keep])


def hadronic_bosons(prt):
    """Per event: (eta, phi) of every W/Z decaying to two quarks and of its
    two quarks, as flat numpy arrays with the event index."""
    import awkward as ak
    d1, d2 = prt.daughter1, prt.daughter2
    ida = abs(prt.id)
    is_quark = (ida >= 1) & (ida <= 5)
    boson = ((ida == 23) | (ida == 24)) & (d2 == d1 + 1) & is_quark[d1] & is_quark[d2]
    event = ak.flatten(ak.broadcast_arrays(ak.local_index(prt.id, axis=0), prt.id)[0][boson]).to_numpy()
    def eta_phi(sel):
        p = prt.p[sel]
        _, eta, phi = _pt_eta_phi(*(ak.flatten(c).to_numpy() for c in (p.px, p.py, p.pz)))
        return eta, phi
    return event, eta_phi(boson), eta_phi(d1[boson]), eta_phi(d2[boson])


def leading_jets(particles):
    """Anti-kT R = 0.8 per event; the two leading jets that pass the
    kinematic selection. Returns (event index, jet px py pz E, constituent
    awkward array per kept jet)."""
    import awkward as ak
    import fastjet
    cs = fastjet.ClusterSequence(particles, fastjet.JetDefinition(fastjet.antikt_algorithm, R))
    jets = cs.inclusive_jets(min_pt=0.5 * PT_MIN)
    cons = cs.constituents(min_pt=0.5 * PT_MIN)
    order = ak.argsort(np.hypot(jets.px, jets.py), axis=1, ascending=False)[:, :2]
    jets, cons = jets[order], cons[order]
    pt, eta, _ = _pt_eta_phi(jets.px, jets.py, jets.pz)
    sel = (pt >= PT_MIN) & (pt <= PT_MAX) & (abs(eta) < ETA_MAX)
    event = ak.flatten(ak.broadcast_arrays(ak.local_index(jets.px, axis=0), jets.px)[0][sel]).to_numpy()
    four = [ak.flatten(jets[c][sel]).to_numpy() for c in ("px", "py", "pz", "E")]
    return event, four, ak.flatten(cons[sel], axis=1)


def substructure(constituents):
    """Soft-drop mass, tau1, tau2, C2, D2 for each jet (one awkward list of
    constituents per jet), with FastJet and fastjet-contrib."""
    import fastjet
    # C/A with R = 10: no beam distance beats a pair inside an R = 0.8 jet,
    # so the one exclusive jet is the whole jet
    cs = fastjet.ClusterSequence(constituents, fastjet.JetDefinition(fastjet.cambridge_algorithm, 10.0))
    sd = cs.exclusive_jets_softdrop_grooming(njets=1, beta=0.0, symmetry_cut=0.1, R0=R)
    tau = cs.njettiness(njets=[1, 2], beta=1.0, R0=R, measure_definition="NormalizedMeasure",
                        axes_definition="OnePass_KT_Axes")
    c2 = cs.exclusive_jets_energy_correlator(njets=1, func="C2", beta=1.0)
    d2 = cs.exclusive_jets_energy_correlator(njets=1, func="D2", beta=1.0)
    tau = np.asarray(tau.to_list() if hasattr(tau, "to_list") else tau, np.float64).reshape(-1, 2)
    # FastJet returns -sqrt(-m^2) when rounding makes m^2 < 0 (a groomed jet
    # of one or two collinear particles): that is a massless jet
    return (np.maximum(np.asarray(sd.msoftdrop, np.float64), 0.0), tau[:, 0], tau[:, 1],
            np.asarray(c2, np.float64).reshape(-1), np.asarray(d2, np.float64).reshape(-1))


def constituent_features(constituents, four):
    """CSR offsets and (log pT fraction, delta eta, delta phi) of at most
    the MAX_CONSTITUENTS hardest constituents of each jet."""
    import awkward as ak
    pt, eta, phi = _pt_eta_phi(constituents.px, constituents.py, constituents.pz)
    order = ak.argsort(pt, axis=1, ascending=False)[:, :jp.MAX_CONSTITUENTS]
    pt, eta, phi = pt[order], eta[order], phi[order]
    jpt, jeta, jphi = _pt_eta_phi(*four[:3])
    counts = ak.num(pt).to_numpy()
    owner = np.repeat(np.arange(len(counts)), counts)
    cpt, ceta, cphi = (ak.flatten(a).to_numpy() for a in (pt, eta, phi))
    dphi = (cphi - jphi[owner] + np.pi) % (2 * np.pi) - np.pi
    feats = np.stack([np.log(cpt / jpt[owner]), ceta - jeta[owner], dphi], axis=1)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.uint64), feats


def truth_matched(process, prt, event, four):
    """Signal jets: within Delta R 0.6 of a hadronic W/Z whose two quarks are
    within R of the jet axis. Every jet for QCD."""
    if process == "qcd":
        return np.ones(len(event), bool)
    b_event, (b_eta, b_phi), (q1_eta, q1_phi), (q2_eta, q2_phi) = hadronic_bosons(prt)
    _, jeta, jphi = _pt_eta_phi(*four[:3])
    ok = np.zeros(len(event), bool)
    for k in range(len(b_event)):
        same = event == b_event[k]
        ok |= (same & (_delta_r(jeta, jphi, b_eta[k], b_phi[k]) < 0.6)
               & (_delta_r(jeta, jphi, q1_eta[k], q1_phi[k]) < R) & (_delta_r(jeta, jphi, q2_eta[k], q2_phi[k]) < R))
    return ok


def jets_from_batch(process, events):
    """Feature records of the selected (and for signal, matched) jets of one
    nextBatch awkward array of events."""
    import awkward as ak
    prt = events.prt
    event, four, cons = leading_jets(visible_particles(prt))
    # a jet of one particle (an isolated photon or lepton) has no tau21, C2, D2
    keep = truth_matched(process, prt, event, four) & (ak.num(cons).to_numpy() >= 2)
    four = [f[keep] for f in four]
    cons = cons[keep]
    n = int(keep.sum())
    if n == 0:
        return None
    m_sd, tau1, tau2, c2, d2 = substructure(cons)
    pt, eta, _ = _pt_eta_phi(*four[:3])
    mass_ungroomed = np.sqrt(np.maximum(four[3] ** 2 - four[0] ** 2 - four[1] ** 2 - four[2] ** 2, 0.0))
    mult = ak.num(cons).to_numpy()
    offsets, cfeat = constituent_features(cons, four)
    return {"pt": pt, "eta": eta, "mass": m_sd, "mass_ungroomed": mass_ungroomed, "tau1": tau1, "tau2": tau2,
            "c2": c2, "d2": d2, "multiplicity": mult, "offsets": offsets, "constituent_features": cfeat}


def generate(process, events, seed, batch=200, log=sys.stderr):
    """About `events` events of one process; returns the raw jet records
    (float64, every constituent feature kept) and the generation timing."""
    masses = WPRIME_MASSES if process == "wprime" else (None,)
    per = -(-events // len(masses))
    parts, t0, done = [], time.time(), 0
    for k, mass in enumerate(masses):
        py = pythia(process, seed * 16 + k, mass or 0.0)
        left = per
        while left > 0:
            ev = py.nextBatch(min(batch, left))
            left -= min(batch, left)
            done += len(ev)
            rec = jets_from_batch(process, ev)
            if rec is not None:
                parts.append(rec)
            n_jets = sum(len(p["pt"]) for p in parts)
            print(f"  {process} seed {seed}: {done} events, {n_jets} jets, {done / (time.time() - t0):.1f} events/s",
                  file=log, flush=True)
    out = jp.concatenate(parts)
    out["label"] = np.full(len(out["pt"]), 0 if process == "qcd" else 1, np.uint8)
    out["events"], out["seconds"] = done, time.time() - t0
    return out


# ------------------------------------------------------------------ features

def jet_features(rec):
    """The study's jet features (jets_parametric.JET_FEATURES order), float32."""
    tau1 = rec["tau1"].astype(np.float32)
    tau2 = rec["tau2"].astype(np.float32)
    return np.stack([tau2 / np.maximum(tau1, np.float32(1e-12)), rec["c2"].astype(np.float32),
                     rec["d2"].astype(np.float32), tau1, tau2, np.log(rec["pt"].astype(np.float32)),
                     rec["multiplicity"].astype(np.float32)], axis=1).astype(np.float32)


def as_jets(rec, offsets=None, constituent_features=None):
    """The dict that jets_parametric.generate returns (and jets_file writes)."""
    n = len(rec["pt"])
    if offsets is None:
        offsets, constituent_features = np.zeros(n + 1, np.uint64), np.zeros((0, 3), np.float32)
    return {"label": rec["label"].astype(np.uint8), "pt": rec["pt"].astype(np.float32),
            "mass": rec["mass"].astype(np.float32), "weight": np.ones(n, np.float32), "jet_features": jet_features(rec),
            "offsets": offsets.astype(np.uint64), "constituent_features": constituent_features.astype(np.float32)}


# ------------------------------------------------------------------ compact sample

COMPACT_F16 = ("pt", "mass", "tau1", "tau2", "c2", "d2")


def _groups():
    """Jets of the compact sample come grouped by (part, label), in this order."""
    return [(p, lab) for p in range(len(PARTS)) for lab in (0, 1)]


def compact(parts, path, constituent_jets=CONSTITUENT_JETS_PER_LABEL, provenance=""):
    """Writes the committed sample from {part name: [raw record files]}: jets
    grouped by (part, label) with `group_counts`, each group sorted by pT
    (which compresses the pT column 4x), features as float16; the
    constituents of `constituent_jets` held-out jets per label spread evenly
    over pT. The provenance gets the generation statistics appended."""
    recs, part_codes, stats = [], [], []
    for code, name in enumerate(PARTS):
        for f in parts.get(name, []):
            r = dict(np.load(f))
            recs.append(r)
            part_codes.append(np.full(len(r["pt"]), code, np.uint8))
            stats.append((name, int(r["label"][0]) if len(r["label"]) else -1, int(r["events"]), float(r["seconds"]),
                          int((r["multiplicity"] >= 2).sum())))
    rec = jp.concatenate([{k: r[k] for k in recs[0] if k not in ("events", "seconds")} for r in recs])
    part = np.concatenate(part_codes)
    order, group_counts = [], np.zeros((len(PARTS), 2), np.uint32)
    for p, lab in _groups():
        # the generator's at-least-two-constituents rule (records written before it had it)
        idx = np.flatnonzero((part == p) & (rec["label"] == lab) & (rec["multiplicity"] >= 2))
        order.append(idx[np.argsort(rec["pt"][idx], kind="stable")])
        group_counts[p, lab] = len(idx)
    order = np.concatenate(order)
    rec["mass"] = np.maximum(rec["mass"], 0.0)   # as substructure() returns it (records written before it did)
    out = {k: rec[k][order].astype(np.float16) for k in COMPACT_F16}
    out["multiplicity"] = np.minimum(rec["multiplicity"][order], 255).astype(np.uint8)
    out["group_counts"] = group_counts
    # constituents of held-out jets spread evenly over each label's pT-sorted group
    starts = np.concatenate([[0], np.cumsum(group_counts.ravel())]).astype(np.int64)
    chosen = []
    for lab in (0, 1):
        g = PARTS.index("test") * 2 + lab
        n = int(group_counts.ravel()[g])
        chosen.append(starts[g] + np.unique(np.linspace(0, n - 1, min(n, constituent_jets)).astype(np.int64)))
    chosen = np.concatenate(chosen)
    off = rec["offsets"].astype(np.int64)
    src = order[chosen]
    counts = off[src + 1] - off[src]
    rows = np.concatenate([np.arange(off[j], off[j + 1]) for j in src]) if len(src) else np.zeros(0, np.int64)
    out["constituent_jets"] = chosen.astype(np.uint32)
    out["constituent_offsets"] = np.concatenate([[0], np.cumsum(counts)]).astype(np.uint32)
    out["constituent_features"] = rec["constituent_features"][rows].astype(np.float16)
    events, seconds = sum(s[2] for s in stats), sum(s[3] for s in stats)
    lines = [f"{name} {'signal' if lab else 'background'}: {ev} events, {nj} jets, {sec:.0f} s"
             for name, lab, ev, sec, nj in stats]
    out["provenance"] = np.array(provenance + (" " if provenance else "") + "Generated: " + "; ".join(lines)
                                 + f"; total {events} events in {seconds:.0f} s ({events / seconds:.0f} events/s on one core)")
    np.savez_compressed(path, **out)
    return out


def _labels_and_parts(z):
    counts = z["group_counts"]
    pairs = _groups()
    sizes = [int(counts[p, lab]) for p, lab in pairs]
    label = np.concatenate([np.full(n, lab, np.uint8) for (p, lab), n in zip(pairs, sizes)])
    part = np.concatenate([np.full(n, p, np.uint8) for (p, lab), n in zip(pairs, sizes)])
    return label, part


def load(path=SAMPLE, part=None):
    """The committed sample as the study's jet dicts (float32 features, no
    constituents): all jets, or one part ("train", "map", "test")."""
    z = np.load(path)
    label, parts = _labels_and_parts(z)
    sel = np.ones(len(label), bool) if part is None else parts == PARTS.index(part)
    rec = {k: z[k][sel].astype(np.float32) for k in COMPACT_F16}
    rec["multiplicity"], rec["label"] = z["multiplicity"][sel], label[sel]
    return as_jets(rec)


def load_constituent_jets(path=SAMPLE):
    """The held-out jets that keep their constituents (for Deep Sets and the
    C host), with CSR offsets into their float32 constituent features."""
    z = np.load(path)
    label, _ = _labels_and_parts(z)
    idx = z["constituent_jets"].astype(np.int64)
    rec = {k: z[k][idx].astype(np.float32) for k in COMPACT_F16}
    rec["multiplicity"], rec["label"] = z["multiplicity"][idx], label[idx]
    return as_jets(rec, z["constituent_offsets"].astype(np.uint64), z["constituent_features"].astype(np.float32))


def provenance(path=SAMPLE):
    return str(np.load(path)["provenance"])


# ------------------------------------------------------------------ command line

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="run Pythia + FastJet for one process")
    g.add_argument("--process", choices=["qcd", "wprime"], required=True)
    g.add_argument("--events", type=int, default=1000)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--batch", type=int, default=200, help="events per Pythia::nextBatch call")
    g.add_argument("--out", required=True, help=".npz (raw records) or .bin (TrigML jet file)")
    c = sub.add_parser("compact", help="write the committed sample from raw record files")
    c.add_argument("--out", default=str(SAMPLE))
    c.add_argument("--provenance", default="")
    c.add_argument("parts", nargs="+", help="part:file.npz[,file.npz...] with part in train, map, test")
    a = ap.parse_args()
    if a.command == "generate":
        rec = generate(a.process, a.events, a.seed, a.batch)
        if a.out.endswith(".bin"):
            jets_file.write_jets(a.out, as_jets(rec, rec["offsets"], rec["constituent_features"]))
        else:
            np.savez(a.out, **rec)
        print(f"{a.out}: {len(rec['pt'])} jets from {rec['events']} events in {rec['seconds']:.0f} s "
              f"({rec['events'] / rec['seconds']:.1f} events/s), median groomed mass {np.median(rec['mass']):.1f} GeV",
              file=sys.stderr)
    else:
        parts = {}
        for spec in a.parts:
            name, files = spec.split(":", 1)
            if name not in PARTS:
                raise SystemExit(f"unknown part {name!r}")
            parts.setdefault(name, []).extend(files.split(","))
        out = compact(parts, a.out, provenance=a.provenance)
        size = pathlib.Path(a.out).stat().st_size
        print(f"{a.out}: {len(out['pt'])} jets, {len(out['constituent_jets'])} with constituents, {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
