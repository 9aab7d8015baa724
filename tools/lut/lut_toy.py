"""Toy EMTF muons -> LUT addresses -> XGBoost pT forests (issue 4 item 7, first part).

    python3 tools/lut/lut_toy.py --mode 15 --trees 400 --out /tmp/emtf_mode15.json
    python3 tools/lut/lut_toy.py --mode all --out /tmp/forests   # mode15.json ... mode3.json

A deterministic toy: four CSC stations, bending between stations ~ q/pT with
multiple scattering and resolution, theta-dependent lever arm, front/rear
bits, station-1 bend patterns, RPC substitution. Tracks are encoded into
addresses with the compression rules of cmssw L1Trigger/L1TMuonEndCap/src/
PtAssignmentEngineAux2017.cc (encode side, written here)
and decoded with tools/reference/lut_reference.py, so training sees exactly the LUT
inputs. Target 1/pT (pT capped at 128 GeV), weights 1/pT x 4^-nRPC
(abrinke1/EMTFPtAssign2017 at 0e90f678, PtRegression_Apr_2017.C).
"""
import argparse
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: F401,E402  (tools subfolders and python/ on sys.path)
import lut_reference as ref  # noqa: E402

# PtAssignmentEngineAux2017::getNLBdPhiBin: index of the last edge <= |dPhi| (|dPhi| clamped to 511)


def nlb_bin(dphi, edges):
    return np.searchsorted(np.array(edges), np.minimum(np.abs(dphi), 511), side="right") - 1


def dtheta_code(dth, nbits):
    dth = np.asarray(dth)
    if nbits == 2:  # PtAssignmentEngineAux2017 2-bit bend (mode 15)
        return np.select([np.abs(dth) <= 1, np.abs(dth) == 2, dth <= -3], [2, 1, 0], 3)
    return np.clip(dth, -4, 3) + 4  # 3-bit: -4..+3 -> 0..7


def bend_code2(bend):  # PtAssignmentEngineAux2017 2-bit bend: -4..-2 -> 0; -1,0 -> 1; +1 -> 2; +2..+4 -> 3
    return np.select([bend <= -2, bend <= 0, bend == 1], [0, 1, 2], 3)


def bend_code3(bend):  # PtAssignmentEngineAux2017 3-bit bend (RPC -> 0 handled by the caller)
    return np.select([bend <= -3, bend == -2, bend == -1, bend == 0, bend == 1, bend == 2], [1, 2, 3, 4, 5, 6], 7)


def toy_tracks(n, seed):
    rng = np.random.default_rng(seed)
    inv = rng.uniform(1 / 256, 1.0, size=n)
    pt = 1 / inv
    q = rng.choice([-1, 1], size=n)
    theta = rng.integers(5, 88, size=n)
    ring2 = (theta > 49).astype(int)
    lever = 1 + (theta - 45) / 120.0
    k = q * inv * lever
    amp = {"12": 520.0, "23": 130.0, "34": 55.0}
    d12 = k * amp["12"] * (1 + 0.5 * ring2) + rng.normal(size=n) * (0.18 * amp["12"] * inv + 1.5)
    d23 = k * amp["23"] + rng.normal(size=n) * (0.25 * amp["23"] * inv + 1.5)
    d34 = k * amp["34"] + rng.normal(size=n) * (0.30 * amp["34"] * inv + 1.5)
    fr = rng.integers(0, 2, size=(n, 4))
    d12 = d12 + (fr[:, 0] - 0.5) * 4 * k * 10
    bend1 = np.clip(np.round(-k * 14 * (1 + 0.3 * rng.normal(size=n))), -4, 4).astype(int)
    bend2 = np.clip(np.round(-k * 6 * (1 + 0.3 * rng.normal(size=n))), -4, 4).astype(int)
    rpc = (rng.random((n, 4)) < 0.08).astype(int)
    dth = np.round(rng.normal(size=(n, 4)) * 1.3).astype(int)
    return dict(pt=pt, q=q, theta=theta, ring2=ring2, d12=d12, d23=d23, d34=d34, fr=fr,
                bend1=bend1, bend2=bend2, rpc=rpc, dth=dth)


def encode_mode15(t):
    """Addresses of mode-15 tracks (PtAssignmentEngine2017::calculate_address layout, PtAssignmentEngineAux2017 compression)."""
    s = np.sign(t["d12"]); s[s == 0] = 1
    d12, d23, d34 = t["d12"] * s, t["d23"] * s, t["d34"] * s
    a = nlb_bin(d12, ref.NLB7).astype(np.uint64)
    a |= nlb_bin(d23, ref.NLB5).astype(np.uint64) << np.uint64(7)
    a |= nlb_bin(d34, ref.NLB4).astype(np.uint64) << np.uint64(12)
    a |= (d23 >= 0).astype(np.uint64) << np.uint64(16)
    a |= (d34 >= 0).astype(np.uint64) << np.uint64(17)
    a |= dtheta_code(t["dth"][:, 3], 2).astype(np.uint64) << np.uint64(18)
    a |= t["fr"][:, 0].astype(np.uint64) << np.uint64(20)
    # PtAssignmentEngineAux2017 getMode15_8b: theta code, RPC word, station-1 bend code
    th, r2, rpc = t["theta"], t["ring2"], t["rpc"].copy()
    clct = np.where(rpc[:, 0] == 1, 0, bend_code2(t["bend1"] * s * -1 * -1))
    word = np.zeros(len(th), dtype=np.int64)
    m2 = (np.clip(th, 46, 87) - 46) // 7
    m1 = (np.clip(th, 5, 52) - 5) // 6
    # ring 2: keep at most two RPC stations in the listed combinations
    n_rpc = rpc.sum(axis=1)
    r = rpc.astype(bool)
    rw = np.full(len(th), 28)
    conds = [(r[:, 0] & r[:, 1]), (r[:, 0] & r[:, 2]), (r[:, 0] & r[:, 3]), (r[:, 0] & (n_rpc == 1)),
             (r[:, 3] & r[:, 1]), (r[:, 3] & r[:, 2]), (r[:, 1] & r[:, 2]), (r[:, 3] & (n_rpc == 1)),
             (r[:, 1] & (n_rpc == 1)), (r[:, 2] & (n_rpc == 1))]
    rw = np.select(conds, [0, 1, 2, 3, 4, 8, 12, 16, 20, 24], 28)
    w2 = 64 + 32 * m2 + np.where(rw < 4, rw, rw + clct)
    rr = np.where(m1 >= 4, np.where(rpc[:, 3] == 1, 0, np.where(rpc[:, 2] == 1, 1, 2)), 3)
    w1 = 16 * (m1 % 4) + 4 * rr + np.where(rpc[:, 0] == 1, 1, clct)
    word = np.where(r2 == 1, w2, w1)
    a |= word.astype(np.uint64) << np.uint64(21)
    a |= np.uint64(1) << np.uint64(29)
    return a


def encode_generic(mode, t):
    """Addresses for 3- and 2-station modes (calculate_address / PtAssignmentEngineAux2017), stations from the mode."""
    st = [s for s in range(4) if mode & (8 >> s)]
    phis = np.stack([np.zeros_like(t["d12"]), t["d12"], t["d12"] + t["d23"], t["d12"] + t["d23"] + t["d34"]], axis=1)
    A, B = st[0], st[1]
    dab = phis[:, B] - phis[:, A]
    s = np.sign(dab); s[s == 0] = 1
    first, _ = ref.scheme_range(mode)
    a = nlb_bin(dab * s, ref.NLB7).astype(np.uint64)
    theta5 = np.where(t["ring2"] == 1, (np.minimum(t["theta"], 104) - 1) // 4 + 6, (np.maximum(t["theta"], 1) - 1) // 4)
    has1 = A == 0
    if not has1:
        theta5 = (np.maximum(t["theta"], 1) - 1) // 4
    if len(st) == 3:
        C = st[2]
        dbc = (phis[:, C] - phis[:, B]) * s
        e = 0 if mode == 7 else 1
        a |= nlb_bin(dbc, ref.NLB5).astype(np.uint64) << np.uint64(7)
        a |= (dbc >= 0).astype(np.uint64) << np.uint64(12)
        a |= dtheta_code(t["dth"][:, C] - t["dth"][:, A], 3).astype(np.uint64) << np.uint64(13)
        a |= t["fr"][:, A].astype(np.uint64) << np.uint64(16)
        if e:
            a |= t["fr"][:, B].astype(np.uint64) << np.uint64(17)
        bend = t["bend1"] if has1 else t["bend2"]
        a |= bend_code2(bend).astype(np.uint64) << np.uint64(17 + e)
        rpc = t["rpc"]
        r2b = np.where(rpc[:, A] == 1, 0, np.where(rpc[:, C] == 1, 1, np.where(rpc[:, B] == 1, 2, 3)))
        a |= r2b.astype(np.uint64) << np.uint64(19 + e)
        a |= theta5.astype(np.uint64) << np.uint64(21 + e)
    else:
        a |= dtheta_code(t["dth"][:, B] - t["dth"][:, A], 3).astype(np.uint64) << np.uint64(7)
        a |= t["fr"][:, A].astype(np.uint64) << np.uint64(10)
        a |= t["fr"][:, B].astype(np.uint64) << np.uint64(11)
        ca = np.where(t["rpc"][:, A] == 1, 0, bend_code3(t["bend1"] if has1 else t["bend2"]))
        cb = np.where(t["rpc"][:, B] == 1, 0, bend_code3(t["bend2"]))
        a |= ca.astype(np.uint64) << np.uint64(12)
        a |= cb.astype(np.uint64) << np.uint64(15)
        a |= theta5.astype(np.uint64) << np.uint64(18)
    return a + np.uint64(first)


def dataset(mode, n, seed):
    t = toy_tracks(n, seed)
    addr = encode_mode15(t) if mode == 15 else encode_generic(mode, t)
    x = ref.decode(mode, addr)
    y = (1.0 / np.minimum(t["pt"], 128.0)).astype(np.float32)
    w = (1.0 / t["pt"]) * 4.0 ** (-t["rpc"].sum(axis=1))
    return addr, x, y, w, t


def train(mode, trees, depth, n, seed, out, threads=2):
    import xgboost as xgb
    _, x, y, w, _ = dataset(mode, n, seed)
    d = xgb.DMatrix(x, label=y, weight=w)
    params = {"objective": "reg:squarederror", "max_depth": depth, "eta": 0.1, "tree_method": "hist",
              "nthread": threads, "seed": seed, "base_score": float(np.average(y, weights=w))}
    b = xgb.train(params, d, num_boost_round=trees)
    b.save_model(out)
    return b


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="15", help="a mode number, or 'all' (then --out is a directory)")
    ap.add_argument("--trees", type=int, default=400)
    ap.add_argument("--depth", type=int, default=5)
    ap.add_argument("--events", type=int, default=400000)
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.mode == "all":
        import os
        os.makedirs(a.out, exist_ok=True)
        for m in ref.MODES:
            path = os.path.join(a.out, f"mode{m}.json")
            train(m, a.trees, a.depth, a.events if m == 15 else a.events // 2, a.seed + m, path)
            print("wrote", path)
    else:
        train(int(a.mode), a.trees, a.depth, a.events, a.seed, a.out)
        print("wrote", a.out)
