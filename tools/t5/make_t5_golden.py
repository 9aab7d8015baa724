#!/usr/bin/env python3
"""Golden T5 events and golden vectors for the C/Swift regression tests.

Builds a fixed-seed synthetic event file from prompt helices in the 3.8 T
field on a toy tracker (not CMS's exact geometry), with true five-hit
candidates, combinatorial fakes, and one event of deliberate edge cases;
then scores it with the numpy reference for each model file.

usage: python3 tools/t5/make_t5_golden.py [--list-edge-cases]
writes Tests/golden/t5_events.bin and Tests/golden/t5_golden_lst_v{2,1}.bin
(re-run after the model files change).
"""
import math
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: F401,E402  (tools subfolders and python/ on sys.path)
from t5_event_file import write_events
from t5_golden import encode_golden
from t5_model_file import read_model
from t5_reference import INPUT_COUNT, PI_F, circle_radius, evaluate

ROOT = checkout_paths.ROOT
GOLDEN = ROOT / "Tests" / "golden"
EVENTS_PATH = GOLDEN / "t5_events.bin"
MODELS = {"lst_v2": GOLDEN / "t5_model_lst_v2.json", "lst_v1": GOLDEN / "t5_model_lst_v1.json"}

SEED = 20261123
N_NORMAL_EVENTS = 4
TRACKS_PER_EVENT = 150

# Toy tracker: barrel layers 1-6 at the LST outer-tracker radii, endcap discs 7-11.
BARREL_RADII = (23.0, 36.0, 51.0, 68.0, 86.0, 110.0)  # cm
BARREL_HALF_LENGTH = 120.0  # cm
ENDCAP_Z = (131.0, 156.0, 185.0, 220.0, 267.0)  # cm
ENDCAP_RHO = (20.0, 110.0)  # cm, disc inner and outer radius
HIT_SIGMA = 0.005  # cm, smearing of true hits
# The toy's helices use the double constant; the working point rounds it to float as LST does.
K2RINV1GEVF = (2.99792458e-3 * 3.8) / 2
R_5GEV = 5.0 / (2 * K2RINV1GEVF)  # cm, the inner-T3 radius of the pT = 5 GeV row edge


def helix_radius(pt):
    return pt / (2 * K2RINV1GEVF)


def helix_hits(pt, eta, phi0, charge, z0=0.0):
    """Anchor positions (x, y, z, layer) of a helix from (0, 0, z0), ordered outward.

    After turning by alpha the chord from the origin has length 2R sin(alpha/2)
    and direction phi0 - q alpha/2 (a positive track bends clockwise in +z field)."""
    radius, cot_theta = helix_radius(pt), math.sinh(eta)
    crossings = []  # (turning angle, layer)
    for layer, rho in enumerate(BARREL_RADII, 1):
        if rho >= 2 * radius:
            break
        alpha = 2 * math.asin(rho / (2 * radius))
        if abs(z0 + radius * alpha * cot_theta) <= BARREL_HALF_LENGTH:
            crossings.append((alpha, layer))
    for disc, z_disc in enumerate(ENDCAP_Z, 7):
        if cot_theta == 0:
            break
        alpha = (math.copysign(z_disc, cot_theta) - z0) / cot_theta / radius
        rho = 2 * radius * math.sin(alpha / 2)
        if 0 < alpha < math.pi and ENDCAP_RHO[0] <= rho <= ENDCAP_RHO[1]:
            crossings.append((alpha, disc))
    hits = []
    for alpha, layer in sorted(crossings):
        chord, direction = 2 * radius * math.sin(alpha / 2), phi0 - charge * alpha / 2
        hits.append((chord * math.cos(direction), chord * math.sin(direction),
                     z0 + radius * alpha * cot_theta, layer))
    return hits


class EventBuilder:
    """Accumulates MDs, T3s and T5s of one event in the tml_t5_batch layout."""

    def __init__(self):
        self.md = {name: [] for name in ("md_x", "md_y", "md_z", "md_r", "md_eta", "md_phi", "md_layer")}
        self.t3_md, self.t3_radius, self.t5_t3 = [], [], []
        self.truth = {"t5_is_true": [], "t5_sim_pt": [], "t5_sim_eta": []}
        self.labels = []

    def add_md(self, x, y, z, layer, **override):
        """An anchor hit at float32 (x, y, z); r, eta, phi derived in float64 unless overridden."""
        x, y, z = (float(np.float32(v)) for v in (x, y, z))
        rho = math.hypot(x, y)
        values = {"md_x": x, "md_y": y, "md_z": z, "md_r": rho,
                  "md_eta": math.asinh(z / rho) if rho > 0 else 0.0, "md_phi": math.atan2(y, x),
                  "md_layer": layer}
        values.update(override)
        for name, v in values.items():
            self.md[name].append(v)
        return len(self.md["md_x"]) - 1

    def position(self, md):
        return tuple(self.md[name][md] for name in ("md_x", "md_y", "md_z"))

    def add_t3(self, mds, radius=None):
        """A triplet; its radius is the circle through its three anchors unless given."""
        if radius is None:
            (x1, y1, _), (x2, y2, _), (x3, y3, _) = (self.position(m) for m in mds)
            with np.errstate(all="ignore"):
                radius = float(circle_radius(x1, y1, x2, y2, x3, y3))
        self.t3_md.append(list(mds))
        self.t3_radius.append(radius)
        return len(self.t3_md) - 1

    def add_t5(self, inner_t3, outer_t3, label="", sim=None):
        """sim: (pt, eta) of the generated track for a true candidate, None for a fake."""
        self.t5_t3.append([inner_t3, outer_t3])
        self.truth["t5_is_true"].append(0 if sim is None else 1)
        self.truth["t5_sim_pt"].append(float("nan") if sim is None else sim[0])
        self.truth["t5_sim_eta"].append(float("nan") if sim is None else sim[1])
        self.labels.append(label)
        return len(self.t5_t3) - 1

    def add_chain(self, mds, label="", sim=None, inner_radius=None, outer_radius=None):
        """A T5 over five MDs: T3s (md1, md2, md3) and (md3, md4, md5)."""
        inner = self.add_t3(mds[0:3], inner_radius)
        outer = self.add_t3(mds[2:5], outer_radius)
        return self.add_t5(inner, outer, label, sim)

    def batch(self):
        with np.errstate(over="ignore"):
            b = {name: np.array(v, dtype=np.uint8 if name == "md_layer" else np.float32)
                 for name, v in self.md.items()}
            b.update(n_md=len(self.md["md_x"]), n_t3=len(self.t3_md), n_t5=len(self.t5_t3),
                     t3_md=np.array(self.t3_md, dtype=np.uint32).reshape(-1, 3),
                     t3_radius=np.array(self.t3_radius, dtype=np.float32),
                     t5_t3=np.array(self.t5_t3, dtype=np.uint32).reshape(-1, 2),
                     t5_is_true=np.array(self.truth["t5_is_true"], dtype=np.uint8),
                     t5_sim_pt=np.array(self.truth["t5_sim_pt"], dtype=np.float32),
                     t5_sim_eta=np.array(self.truth["t5_sim_eta"], dtype=np.float32))
        return b


def add_track(ev, rng, pt, eta, phi0, charge, sigma=HIT_SIGMA):
    """Adds the track's hits (smeared); returns their MD indices in order."""
    return [ev.add_md(x + rng.normal(0, sigma), y + rng.normal(0, sigma), z + rng.normal(0, sigma), layer)
            for x, y, z, layer in helix_hits(pt, eta, phi0, charge)]


def normal_event(rng):
    """True candidates from helices (every 5-hit window) plus as many combinatorial fakes."""
    ev, tracks, inner_t3s = EventBuilder(), [], []
    for _ in range(TRACKS_PER_EVENT):
        pt = 0.9 + rng.exponential(3.0) if rng.random() < 0.8 else rng.uniform(5.0, 200.0)
        eta, phi0, charge = rng.uniform(-2.6, 2.6), rng.uniform(-math.pi, math.pi), rng.choice((-1, 1))
        mds = add_track(ev, rng, pt, eta, phi0, charge)
        tracks.append(mds)
        for start in range(min(2, len(mds) - 4)):
            t5 = ev.add_chain(mds[start:start + 5], sim=(pt, eta))
            inner_t3s.append(ev.t5_t3[t5][0])
    n_true, all_mds = len(ev.t5_t3), np.arange(len(ev.md["md_x"]))
    phi = np.array(ev.md["md_phi"])
    distance = np.sqrt(np.array(ev.md["md_r"]) ** 2 + np.array(ev.md["md_z"]) ** 2)

    def outward_neighbours(md, window):
        """MDs at least 5 cm further out within a phi window, nearest first."""
        d_phi = np.abs((phi - phi[md] + math.pi) % (2 * math.pi) - math.pi)
        return all_mds[(d_phi < window) & (distance > distance[md] + 5.0)]

    while len(ev.t5_t3) < 2 * n_true:
        if rng.random() < 0.5:  # a true inner T3 continued by two unrelated hits
            inner = inner_t3s[rng.integers(len(inner_t3s))]
            md3 = ev.t3_md[inner][2]
            tail = outward_neighbours(md3, 0.3)
            if len(tail) < 2:
                continue
            md4, md5 = sorted(rng.choice(tail, 2, replace=False), key=lambda m: distance[m])
            ev.add_t5(inner, ev.add_t3([md3, int(md4), int(md5)]))
        else:  # five hits from anywhere in a phi road
            md1 = int(rng.integers(len(all_mds)))
            road = outward_neighbours(md1, 0.4)
            if len(road) < 4:
                continue
            rest = sorted(rng.choice(road, 4, replace=False), key=lambda m: distance[m])
            ev.add_chain([md1] + [int(m) for m in rest])
    return ev


def edge_case_event(rng):
    """Deliberate edge cases, one labelled candidate each (see --list-edge-cases)."""
    ev = EventBuilder()
    f32 = np.float32

    def track(pt=2.0, eta=0.3, phi0=0.5, charge=1, sigma=0.0, first=0):
        return add_track(ev, rng, pt, eta, phi0, charge, sigma)[first:first + 5]

    # phi crossing +-pi: choose phi0 so that the wrap falls between each consecutive pair.
    for charge in (1, -1):
        for k in range(1, 5):
            hits = helix_hits(1.0, 0.2, 0.0, charge)
            turn_mid = 0.5 * (math.atan2(hits[k - 1][1], hits[k - 1][0]) + math.atan2(hits[k][1], hits[k][0]))
            ev.add_chain(track(1.0, 0.2, math.pi - turn_mid, charge),
                         f"phi wraps between md{k} and md{k + 1}, q={charge:+d}")
    for phi1 in (f32(math.pi), -f32(math.pi)):
        mds = track(3.0, 0.4, 3.1 if phi1 > 0 else -3.1)
        ev.md["md_phi"][mds[0]] = float(phi1)
        ev.add_chain(mds, f"md1 phi = float32({'+' if phi1 > 0 else '-'}pi), just beyond pi")

    # |eta1| on the 0.25 bin edges (exact in float32) and one float32 step below.
    for k in range(13):
        edge = 0.25 * k
        for value, what in ((edge, "on"), (float(np.nextafter(f32(edge), f32(0))), "just below")):
            if k == 0 and what == "just below":
                continue
            for pt, sign in ((2.0, 1), (20.0, -1)):
                mds = track(pt, sign * min(value, 2.4), 1.0 + 0.1 * k)
                ev.md["md_eta"][mds[0]] = sign * value
                ev.add_chain(mds, f"|eta1| {what} {edge:.2f}, pT {pt:g}")

    # Inner-T3 pT straddling the 5 GeV row edge: float32 radii a few ulps around R(5 GeV).
    r5 = f32(R_5GEV)
    for steps in range(-3, 4):
        radius = r5
        for _ in range(abs(steps)):
            radius = np.nextafter(radius, f32(np.inf if steps > 0 else 0))
        ev.add_chain(track(5.0, 0.6, -1.0), f"R_inner = float32(R(5 GeV)) {steps:+d} ulp",
                     inner_radius=float(radius))
    for pt in (4.99, 5.0, 5.01):
        ev.add_chain(track(pt, 1.1, 2.0), f"helix pT {pt} GeV, radii from the anchors")

    # Very high pT: nearly collinear bridge anchors, R ~ 1e5 cm and beyond.
    for pt in (1000.0, 1150.0, 1.0e4, 1.0e5):
        ev.add_chain(track(pt, -0.8, -2.5), f"very high pT {pt:g} GeV (R = {helix_radius(pt):.3g} cm)")

    # Non-finite or unphysical inputs; some hit a column the feature set does not read.
    bad_columns = [("md_x", 0, math.nan, "NaN md1 x (read by lst-v1 only)"),
                   ("md_x", 2, math.nan, "NaN md3 x (bridge radius)"),
                   ("md_y", 1, math.nan, "NaN md2 y (bridge radius)"),
                   ("md_z", 4, math.nan, "NaN md5 z"),
                   ("md_eta", 1, math.nan, "NaN md2 eta"),
                   ("md_eta", 0, math.nan, "NaN md1 eta (also the working-point column)"),
                   ("md_phi", 3, math.nan, "NaN md4 phi"),
                   ("md_r", 0, math.nan, "NaN md1 r (read by lst-v2 only)"),
                   ("md_z", 1, math.inf, "+Inf md2 z"),
                   ("md_x", 3, -math.inf, "-Inf md4 x (bridge radius)"),
                   ("md_phi", 2, math.inf, "+Inf md3 phi"),
                   ("md_eta", 0, -math.inf, "-Inf md1 eta"),
                   ("md_r", 4, math.inf, "+Inf md5 r")]
    for column, k, value, label in bad_columns:
        mds = track(3.0, 0.5, 0.2)
        ev.md[column][mds[k]] = value
        ev.add_chain(mds, label)
    for which in ("inner", "outer"):
        for radius in (0.0, -50.0, math.nan, math.inf, 1e-30):
            ev.add_chain(track(2.0, -0.4, 1.5), f"{which} T3 radius {radius!r}",
                         **{f"{which}_radius": radius})

    # Exactly collinear bridge anchors (md2, md3, md4) with finite T3 radii.
    for line, label in (((1.0, 0.0), "on the x axis"), ((1.0, 1.0), "on y = x"), ((0.0, -1.0), "on the -y axis")):
        off_line = {1: (0.5, 0.25)}  # md1 off the line: only the bridge is straight
        mds = [ev.add_md(line[0] * r + off_line.get(layer, (0, 0))[0], line[1] * r + off_line.get(layer, (0, 0))[1],
                         0.25 * r, layer)
               for layer, r in enumerate((22.0, 36.0, 50.0, 68.0, 86.0), 1)]
        ev.add_chain(mds, f"collinear bridge anchors {label}", inner_radius=3.0e4, outer_radius=2.5e4)
    mds = [ev.add_md(r, 0.0, 0.1 * r, layer) for layer, r in enumerate(BARREL_RADII[:5], 1)]
    ev.add_chain(mds, "straight radial track: all three circles infinite")

    # Layers: md1 on barrel layer 1 or not, endcap-only, barrel into endcap.
    for eta, first, label in ((0.1, 0, "md1 on barrel layer 1"), (0.1, 1, "md1 on barrel layer 2"),
                              (1.4, 0, "barrel into endcap"), (2.3, 0, "endcap only, md1 on layer 7"),
                              (-2.3, 0, "endcap only, negative z"), (-1.3, 1, "barrel into endcap, negative z")):
        ev.add_chain(track(3.0, eta, -0.7, first=first), label)

    # Delta phi exactly +-pi_f and one float step beyond (reducePhiRange keeps +-pi_f, LST's
    # features are then +-1; one step further the difference wraps to the other sign).
    pi_f = float(PI_F)
    beyond = float(np.nextafter(PI_F, np.float32(4)))
    for k, (phi_a, phi_b, what) in enumerate(((0.0, pi_f, "+pi_f"), (0.0, -pi_f, "-pi_f"),
                                               (-0.5, beyond - 0.5, "just above +pi_f"))):
        mds = track(4.0, 0.3, 0.9)
        ev.md["md_phi"][mds[k]] = phi_a
        ev.md["md_phi"][mds[k + 1]] = phi_b
        ev.add_chain(mds, f"delta phi md{k + 2} - md{k + 1} = {what}")
    return ev


def build_events(seed=SEED):
    """The golden event list: normal events, the edge-case event, and an empty event."""
    rng = np.random.default_rng(seed)
    builders = [normal_event(rng) for _ in range(N_NORMAL_EVENTS)]
    builders += [edge_case_event(rng), EventBuilder()]
    return builders


def golden_bytes(batches, model_path):
    """The golden file of one model for these batches, as bytes."""
    feature_set = read_model(model_path)[0]
    return encode_golden(INPUT_COUNT[feature_set], [evaluate(b, model_path) for b in batches])


def main() -> None:
    builders = build_events()
    if "--list-edge-cases" in sys.argv[1:]:
        for event, ev in enumerate(builders):
            for t5, label in enumerate(ev.labels):
                if label:
                    print(f"event {event} T5 {t5}: {label}")
        return
    batches = [ev.batch() for ev in builders]
    write_events(EVENTS_PATH, batches, with_truth=True)
    sizes = [EVENTS_PATH.stat().st_size]
    for name, model in MODELS.items():
        out = GOLDEN / f"t5_golden_{name}.bin"
        out.write_bytes(golden_bytes(batches, model))
        sizes.append(out.stat().st_size)
    n_t5 = [int(b["n_t5"]) for b in batches]
    print(f"{len(batches)} events, {sum(n_t5)} T5 candidates {n_t5}; "
          f"wrote {EVENTS_PATH.relative_to(ROOT)} and {len(MODELS)} golden files, {sum(sizes)} bytes")


if __name__ == "__main__":
    main()
