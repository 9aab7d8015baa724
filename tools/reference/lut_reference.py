"""Independent numpy reference of the EMTF 2017 LUT presets: address decoding,
forest evaluation under the LUT summation rule, and the pT conversions.

Written from the CMS EMTF sources, not from the Swift code, so that the
golden pairs it writes test the library: address layout from
cmssw L1Trigger/L1TMuonEndCap/src/PtAssignmentEngine2017.cc (calculate_address), compression
from cmssw L1Trigger/L1TMuonEndCap/src/PtAssignmentEngineAux2017.cc, input order and training
from abrinke1/EMTFPtAssign2017 at 0e90f678 (PtRegression_Apr_2017.C), the
conversion from PtAssignmentEngine2017.cc (scale_pt) and test/tools/MakePtLUT.cc.

    python3 tools/reference/lut_reference.py --write-golden     # Tests/golden/lut/*.json

Conventions (docs/lut.md: every dTheta, bend and theta is fed as
its compressed code (the training side, EMTFPtAssign2017
src/PtLutVarCalc.cc, feeds the compressed codes), dPhiAB >= 0 and a sign bit of 1 means "same sign as dPhiAB".
"""
import argparse
import json
import math
import os
from fractions import Fraction

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN_DIR = os.path.join(REPO, "Tests", "golden", "lut")

# getNLBdPhiBin edges (PtAssignmentEngineAux2017.cc)
NLB4 = [0, 1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 25, 31, 46, 68, 136]
NLB5 = list(range(18)) + [19, 20, 21, 23, 25, 28, 31, 34, 39, 46, 55, 68, 91, 136]
NLB7 = list(range(70)) + [71, 72, 73, 74, 75, 76, 77, 79, 80, 81, 83, 84, 86, 87, 89, 91, 92, 94, 96, 98,
                          100, 102, 105, 107, 110, 112, 115, 118, 121, 124, 127, 131, 135, 138, 143, 147,
                          152, 157, 162, 168, 174, 181, 188, 196, 204, 214, 224, 235, 247, 261, 276, 294,
                          313, 336, 361, 391, 427, 470]
assert len(NLB4) == 16 and len(NLB5) == 32 and len(NLB7) == 128

MODES = [15, 14, 13, 11, 7, 12, 10, 9, 6, 5, 3]


def scheme_range(mode):
    """(first, count) from the mode prefix codes of PtAssignmentEngine2017::calculate_address."""
    if mode == 15:
        return 1 << 29, 1 << 29
    if mode in (14, 13, 11):
        return {14: 3, 13: 2, 11: 1}[mode] << 27, 1 << 27
    if mode == 7:
        return 1 << 26, 1 << 26
    return {12: 7, 10: 6, 9: 5, 6: 4, 5: 3, 3: 2}[mode] << 23, 1 << 23


def bits(a, lo, width):
    return (a >> np.uint64(lo)) & np.uint64((1 << width) - 1)


def unpack_mode15_word(w):
    """PtAssignmentEngineAux2017 getMode15_8b, inverted: returns theta4b, st1_ring2, bend1, rpc1..4."""
    w = int(w)
    rpc = [0, 0, 0, 0]
    if w >= 64:
        m = (w - 64) // 32
        low = (w - 64) % 32
        # station 1 is an RPC for rpc_word 0..3: then no CLCT bits are added
        clct = 0 if low < 4 else low % 4
        rpc_word = low - clct
        stations = {0: (1, 2), 1: (1, 3), 2: (1, 4), 3: (1,), 4: (4, 2), 8: (4, 3), 12: (2, 3),
                    16: (4,), 20: (2,), 24: (3,), 28: ()}[rpc_word]
        for s in stations:
            rpc[s - 1] = 1
        return 8 + m, 1, clct, rpc
    clct = w % 4
    r = (w // 4) % 4
    hi = w // 16
    if r == 3:
        return hi, 0, clct, rpc
    if r == 0:
        rpc[3] = 1
    elif r == 1:
        rpc[2] = 1
    return hi + 4, 0, clct, rpc


def decode(mode, addresses):
    """BDT inputs (float32, rows x features) in the trained order (PtAssignmentEngine2017.cc predictors)."""
    a = np.asarray(addresses, dtype=np.uint64)
    out = []
    if mode == 15:
        d12 = np.array(NLB7)[bits(a, 0, 7)]
        d23 = np.array(NLB5)[bits(a, 7, 5)] * np.where(bits(a, 16, 1) == 1, 1, -1)
        d34 = np.array(NLB4)[bits(a, 12, 4)] * np.where(bits(a, 17, 1) == 1, 1, -1)
        dth = bits(a, 18, 2).astype(np.int64)
        fr1 = bits(a, 20, 1).astype(np.int64)
        w = bits(a, 21, 8)
        table = [unpack_mode15_word(i) for i in range(256)]
        theta = np.array([t[0] for t in table])[w]
        ring2 = np.array([t[1] for t in table])[w]
        bend = np.array([t[2] for t in table])[w]
        rpcs = [np.array([t[3][k] for t in table])[w] for k in range(4)]
        d13 = d12 + d23
        d14 = d13 + d34
        d24 = d23 + d34
        ds = [d12, d13, d14, d23, d24, d34]
        s4 = sum(ds)
        s4a = sum(np.abs(x) for x in ds)
        dev = [np.abs(d12) + np.abs(d13) + np.abs(d14), np.abs(d12) + np.abs(d23) + np.abs(d24),
               np.abs(d13) + np.abs(d23) + np.abs(d34), np.abs(d14) + np.abs(d24) + np.abs(d34)]
        dev = np.stack(dev, axis=1)
        mx = dev.max(axis=1)
        unique = (dev == mx[:, None]).sum(axis=1) == 1
        out_st = np.where(unique, dev.argmax(axis=1) + 1, 0)
        # pairs without station k (outStPhi 0 -> drop station 1)
        wo = {1: (d23, d24, d34), 2: (d13, d14, d34), 3: (d12, d14, d24), 4: (d12, d13, d23)}
        s3 = np.select([out_st == k for k in (2, 3, 4)], [sum(wo[k]) for k in (2, 3, 4)], sum(wo[1]))
        s3a = np.select([out_st == k for k in (2, 3, 4)], [sum(np.abs(x) for x in wo[k]) for k in (2, 3, 4)],
                        sum(np.abs(x) for x in wo[1]))
        out = [theta, ring2, d12, d23, d34, d13, d14, d24, fr1, bend, s4, s4a, s3, s3a, out_st, dth] + rpcs
    elif mode in (14, 13, 11, 7):
        frb = mode != 7
        e = 1 if frb else 0
        dab = np.array(NLB7)[bits(a, 0, 7)]
        dbc = np.array(NLB5)[bits(a, 7, 5)] * np.where(bits(a, 12, 1) == 1, 1, -1)
        dth = bits(a, 13, 3).astype(np.int64)
        fra = bits(a, 16, 1).astype(np.int64)
        frB = bits(a, 17, 1).astype(np.int64)
        clct = bits(a, 17 + e, 2).astype(np.int64)
        rpc2b = bits(a, 19 + e, 2).astype(np.int64)
        theta = bits(a, 21 + e, 5).astype(np.int64)
        ring2 = (theta >= 15).astype(np.int64)
        rpc_a, rpc_c, rpc_b = (rpc2b == 0).astype(int), (rpc2b == 1).astype(int), (rpc2b == 2).astype(int)
        dac = dab + dbc
        dphis = {14: [dab, dbc, dac], 13: [dab, dac, dbc], 11: [dbc, dab, dac], 7: [dab, dbc, dac]}[mode]
        head = [theta] + ([ring2] if mode != 7 else [])
        out = head + dphis + [fra] + ([frB] if frb else []) + [clct, dth, rpc_a, rpc_b, rpc_c]
    else:
        dab = np.array(NLB7)[bits(a, 0, 7)]
        dth = bits(a, 7, 3).astype(np.int64)
        fra = bits(a, 10, 1).astype(np.int64)
        frb = bits(a, 11, 1).astype(np.int64)
        ca = bits(a, 12, 3).astype(np.int64)
        cb = bits(a, 15, 3).astype(np.int64)
        theta = bits(a, 18, 5).astype(np.int64)
        head = [theta] + ([(theta >= 15).astype(np.int64)] if mode >= 8 else [])
        out = head + [dab, fra, frb, ca, cb, dth, (ca == 0).astype(int), (cb == 0).astype(int)]
    return np.stack([np.asarray(x, dtype=np.float64) for x in out], axis=1).astype(np.float32) + np.float32(0)


# ---------------------------------------------------------------- forests

def load_trees(path):
    """(base, trees) with trees as (left, right, feature, threshold(f32), value(exact))."""
    with open(path) as f:
        m = json.load(f)
    trees = []
    if "learner" in m:
        bs = m["learner"]["learner_model_param"]["base_score"]
        base = float(np.float32(float(str(bs).strip("[]"))))
        obj = m["learner"]["objective"]["name"]
        assert obj in ("reg:squarederror", "reg:absoluteerror"), obj
        for t in m["learner"]["gradient_booster"]["model"]["trees"]:
            cond = np.array(t["split_conditions"], dtype=np.float32)
            trees.append((t["left_children"], t["right_children"], t["split_indices"], cond,
                          [float(v) for v in cond]))
    else:
        base = float(m.get("base_score", 0.0))
        for t in m["trees"]:
            trees.append((t["left"], t["right"], t["feature"], np.array(t["threshold"], dtype=np.float32),
                          [float(v) for v in t["value"]]))
    return base, trees


def exact_output(base, trees, x):
    """Exact sum of base + reached leaves, rounded once to float32 (LUT rule)."""
    out = np.empty(x.shape[0], dtype=np.float32)
    for i, row in enumerate(x):
        s = Fraction(base)
        for left, right, feat, thr, val in trees:
            n = 0
            while left[n] != -1:
                n = left[n] if row[feat[n]] < thr[n] else right[n]
            s += Fraction(val[n])
        out[i] = round_to_float32(s)
    return out


def round_to_float32(s):
    f = np.float32(float(s))  # within one float32 ulp; fix the rounding exactly
    best = None
    for c in (np.nextafter(f, np.float32(-np.inf)), f, np.nextafter(f, np.float32(np.inf))):
        if not np.isfinite(c):
            continue
        d = abs(Fraction(float(c)) - s)
        key = (d, int(np.array(c, dtype=np.float32).view(np.uint32)) & 1)
        if best is None or key < best[0]:
            best = (key, c)
    return best[1]


# ------------------------------- conversion (PtAssignmentEngine2017.cc scale_pt, MakePtLUT.cc)

PRESETS = {"emtf2017": ("inv", 0.001, 1.2), "emtf2022": ("log2", 0.0, 1.13)}


def convert(preset, out):
    target, floor, num = PRESETS[preset]
    o = np.asarray(out, dtype=np.float32).astype(np.float64)
    if target == "inv":
        pt_xml = 1.0 / np.maximum(floor, o)
    else:
        pt_xml = np.exp2(np.maximum(floor, o))
    pt_xml = np.where(pt_xml < 0, 1.0, pt_xml)
    pt = pt_xml * num / (1 - 0.015 * np.minimum(pt_xml, 20.0))
    x = 2.0 * pt + 1.0
    return np.where(np.isnan(x) | (x < 0), 0, np.where(x >= 511, 511, np.floor(np.minimum(x, 511)))).astype(np.uint16)


# ---------------------------------------------------------------- golden

def golden_forest_path(n_features):
    return os.path.join(GOLDEN_DIR, f"forest_{n_features}f.json")


def write_golden_forests(seed=4):
    """Small own-format forests (depth 4, 24 trees) whose thresholds sit
    between decoded values of each preset, so every input matters."""
    rng = np.random.default_rng(seed)
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    for nf, mode in ((20, 15), (12, 14), (10, 7), (9, 6)):
        first, count = scheme_range(mode)
        sample = decode(mode, first + rng.integers(0, count, size=4096, dtype=np.uint64))
        trees = []
        for _ in range(24):
            left, right, feat, thr, val = [], [], [], [], []
            for i in range(31):
                if i < 15:
                    f = int(rng.integers(0, nf))
                    v = sample[rng.integers(0, len(sample)), f]
                    left.append(2 * i + 1); right.append(2 * i + 2); feat.append(f)
                    thr.append(float(v) + 0.5); val.append(0.0)
                else:
                    left.append(-1); right.append(-1); feat.append(0); thr.append(0.0)
                    val.append(float(rng.normal() * 0.004))
            trees.append({"left": left, "right": right, "feature": feat, "threshold": thr, "value": val})
        doc = {"format": "trigml.forest", "format_version": 1, "feature_count": nf, "base_score": 0.03,
               "provenance": "tools/lut_reference.py write_golden_forests", "trees": trees}
        with open(golden_forest_path(nf), "w") as f:
            json.dump(doc, f)


def write_golden(per_mode=48, seed=11):
    write_golden_forests()
    rng = np.random.default_rng(seed)
    doc = {"description": "address -> word from tools/lut_reference.py (independent numpy reference)",
           "presets": {}}
    for mode in MODES:
        first, count = scheme_range(mode)
        addr = np.concatenate([[first, first + count - 1], first + rng.integers(0, count, size=per_mode - 2, dtype=np.uint64)])
        x = decode(mode, addr)
        base, trees = load_trees(golden_forest_path(x.shape[1]))
        out = exact_output(base, trees, x)
        entry = {"forest": os.path.basename(golden_forest_path(x.shape[1])), "pairs": {}}
        for conv in PRESETS:
            words = convert(conv, out)
            entry["pairs"][conv] = [[int(a), int(w)] for a, w in zip(addr, words)]
        entry["features"] = [[int(a)] + [float(v) for v in row] for a, row in zip(addr[:8], x[:8])]
        doc["presets"][f"emtf2017-mode{mode}"] = entry
    with open(os.path.join(GOLDEN_DIR, "golden_pairs.json"), "w") as f:
        json.dump(doc, f, indent=1)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--write-golden", action="store_true")
    args = ap.parse_args()
    if args.write_golden:
        write_golden()
        print("wrote", GOLDEN_DIR)
