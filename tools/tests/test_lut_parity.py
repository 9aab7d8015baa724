"""LUT parity: tabulated generation vs the one-address path, golden pairs from
the independent numpy reference, shards, threads, XGBoost margins.

    cd /work/main && python3 -m pytest -q tools/tests/test_lut_parity.py
"""
import json
import os

import numpy as np
import pytest

import lut_reference as ref
from trigml import Forest, LUTScheme, evaluate_lut, generate_lut, pt_conversion

GOLDEN = os.path.join(ref.GOLDEN_DIR, "golden_pairs.json")
PRESETS = [f"emtf2017-mode{m}" for m in ref.MODES]


def forest_for(scheme):
    return Forest.load(ref.golden_forest_path(scheme.feature_count))


@pytest.fixture(scope="module")
def golden():
    with open(GOLDEN) as f:
        return json.load(f)


@pytest.mark.parametrize("name", PRESETS)
def test_golden_pairs(golden, name):
    entry = golden["presets"][name]
    s = LUTScheme.preset(name)
    f = Forest.load(os.path.join(ref.GOLDEN_DIR, entry["forest"]))
    for conv, pairs in entry["pairs"].items():
        a = np.array([p[0] for p in pairs], dtype=np.uint64)
        want = np.array([p[1] for p in pairs], dtype=np.uint16)
        words, _ = evaluate_lut(s, f, pt_conversion(conv), a)
        assert np.array_equal(words, want), (name, conv)
        # generate_lut, one address per call (range of 1)
        for addr, w in zip(a[:8], want[:8]):
            assert generate_lut(s, f, pt_conversion(conv), int(addr), 1)[0] == w
        if conv == "emtf2017":
            assert len(set(want.tolist())) > 3  # the forest really varies the words
    feats = np.array([row[1:] for row in entry["features"]], dtype=np.float32)
    addrs = np.array([row[0] for row in entry["features"]], dtype=np.uint64)
    assert np.array_equal(s.decode(addrs), feats)


@pytest.mark.parametrize("name", PRESETS)
def test_decode_matches_reference(name):
    s = LUTScheme.preset(name)
    rng = np.random.default_rng(5)
    a = np.uint64(s.first_address) + rng.integers(0, s.address_count, size=200000, dtype=np.uint64)
    assert np.array_equal(s.decode(a), ref.decode(int(name.split("mode")[1]), a))


@pytest.mark.parametrize("name", PRESETS)
def test_generate_equals_one_address_path(name):
    """>= 1M addresses per preset: 4 random blocks of 300000 (tabulated path)."""
    s = LUTScheme.preset(name)
    f = forest_for(s)
    c = pt_conversion("emtf2017")
    rng = np.random.default_rng(abs(hash(name)) % 1000)
    block = 300000
    starts = rng.integers(0, (s.address_count - block) // 7, size=4) * 7  # unaligned starts
    total = 0
    for st in starts:
        first = s.first_address + int(st)
        words = generate_lut(s, f, c, first, block)
        addrs = np.arange(first, first + block, dtype=np.uint64)
        direct, _ = evaluate_lut(s, f, c, addrs)
        assert np.array_equal(words, direct), (name, first, np.nonzero(words != direct)[0][:5])
        total += block
    assert total >= 1 << 20


def test_full_mode7_range_equals_one_address_path(tmp_path):
    """Every one of the 2^26 mode-7 addresses (an 8-tree cut of the golden
    forest keeps the one-address pass to seconds)."""
    s = LUTScheme.preset("emtf2017-mode7")
    doc = json.load(open(ref.golden_forest_path(10)))
    doc["trees"] = doc["trees"][:8]
    small = tmp_path / "mode7_8trees.json"
    small.write_text(json.dumps(doc))
    f = Forest.load(str(small))
    c = pt_conversion("emtf2022")
    words = generate_lut(s, f, c, s.first_address, s.address_count)
    assert words.size == 1 << 26
    step = 1 << 22
    for lo in range(0, s.address_count, step):
        addrs = np.arange(s.first_address + lo, s.first_address + lo + step, dtype=np.uint64)
        direct, _ = evaluate_lut(s, f, c, addrs)
        assert np.array_equal(words[lo:lo + step], direct), lo


def test_shards_concatenate_byte_for_byte():
    s = LUTScheme.preset("emtf2017-mode15")
    f = forest_for(s)
    c = pt_conversion("emtf2017")
    first, n = s.first_address + (5 << 20) + 3, (1 << 22) + 11
    whole = generate_lut(s, f, c, first, n)
    cut = 1234567
    a = generate_lut(s, f, c, first, cut, threads=1)
    b = generate_lut(s, f, c, first + cut, n - cut, threads=2)
    assert np.concatenate([a, b]).tobytes() == whole.tobytes()


def test_thread_counts_agree():
    s = LUTScheme.preset("emtf2017-mode14")
    f = forest_for(s)
    c = pt_conversion("emtf2017")
    ref_words = generate_lut(s, f, c, s.first_address, 1 << 20, threads=1)
    for t in (2, 3, 0):
        assert np.array_equal(generate_lut(s, f, c, s.first_address, 1 << 20, threads=t), ref_words)


def test_xgboost_margin_agreement():
    """Words from XGBoost's own margin, converted the same way, agree on
    >= 99.99%; any difference is one step, where the two float32 outputs sit
    on either side of a conversion boundary."""
    xgb = pytest.importorskip("xgboost")
    path = os.path.join(ref.GOLDEN_DIR, "xgb_mode7_toy.json")
    s = LUTScheme.preset("emtf2017-mode7")
    f = Forest.load(path)
    booster = xgb.Booster(model_file=path)
    rng = np.random.default_rng(9)
    a = np.uint64(s.first_address) + rng.integers(0, s.address_count, size=1 << 20, dtype=np.uint64)
    x = s.decode(a)
    margin = booster.predict(xgb.DMatrix(x), output_margin=True).astype(np.float32)
    for conv in ("emtf2017",):
        words, ours = evaluate_lut(s, f, pt_conversion(conv), a)
        theirs = ref.convert(conv, margin)
        diff = words != theirs
        print(f"xgboost margin -> {conv}: {1 - diff.mean():.6%} of words identical, {diff.sum()} differ")
        assert diff.mean() <= 1e-4, diff.mean()
        if diff.any():
            assert np.all(np.abs(words[diff].astype(int) - theirs[diff].astype(int)) == 1)
            assert np.all(ref.convert(conv, ours[diff]) == words[diff])
        # outputs differ only by float32 rounding of the sum
        assert np.max(np.abs(ours.astype(np.float64) - margin)) < 1e-5


README_SCHEME = {
    "format": "trigml.lut-scheme", "format_version": 1, "name": "my-scheme",
    "first_address": 4096, "address_bits": 12,
    "fields": [
        {"name": "dphi_bin", "offset": 0, "width": 3, "table": [0, 1, 2, 4, 8, 16, 32, 64]},
        {"name": "sign", "offset": 3, "width": 1, "table": [-1, 1]},
        {"name": "eta", "offset": 4, "width": 4, "linear": {"scale": 0.1, "offset": 1.2}},
        {"name": "quality", "offset": 8, "width": 4,
         "outputs": {"q_code": {"scale": 1}, "q_is_rpc": [1] + [0] * 15}}],
    "values": [{"name": "dphi", "op": "mul", "args": ["dphi_bin", "sign"]},
               {"name": "dphi_eta", "op": "add", "args": ["dphi", "eta", 0.5]}],
    "inputs": ["eta", "dphi", "dphi_eta", "q_code", "q_is_rpc"]}


def random_forest(nf, trees, seed, x):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(trees):
        left, right, feat, thr, val = [], [], [], [], []
        for i in range(31):
            if i < 15:
                f = int(rng.integers(0, nf))
                left.append(2 * i + 1); right.append(2 * i + 2); feat.append(f)
                thr.append(float(x[rng.integers(0, len(x)), f]) + 0.01); val.append(0.0)
            else:
                left.append(-1); right.append(-1); feat.append(0); thr.append(0.0); val.append(float(rng.normal() * 0.01))
        out.append({"left": left, "right": right, "feature": feat, "threshold": thr, "value": val})
    return {"format": "trigml.forest", "format_version": 1, "feature_count": nf, "base_score": 0.05, "trees": out}


def test_user_scheme_from_readme(tmp_path):
    p = tmp_path / "scheme.json"
    p.write_text(json.dumps(README_SCHEME))
    s = LUTScheme.load(str(p))
    assert (s.first_address, s.address_count, s.feature_count) == (4096, 4096, 5)
    a = np.arange(s.first_address, s.first_address + s.address_count, dtype=np.uint64)
    x = s.decode(a)
    loc = (a - np.uint64(4096)).astype(np.int64)
    dphi = np.array([0, 1, 2, 4, 8, 16, 32, 64])[loc & 7] * np.where((loc >> 3) & 1, 1, -1)
    eta = 0.1 * ((loc >> 4) & 15) + 1.2
    q = (loc >> 8) & 15
    want = np.stack([eta, dphi, dphi + eta + 0.5, q, (q == 0)], axis=1).astype(np.float32)
    assert np.array_equal(x, want)
    fp = tmp_path / "forest.json"
    fp.write_text(json.dumps(random_forest(5, 40, 3, x)))
    f = Forest.load(str(fp))
    c = pt_conversion("emtf2017")
    words = generate_lut(s, f, c, s.first_address, s.address_count)
    direct, _ = evaluate_lut(s, f, c, a)
    assert np.array_equal(words, direct)
    assert len(set(words.tolist())) > 5


def test_walk_layout_forest_uses_one_address_path(tmp_path):
    """Trees with more than 32 leaves (XGBoost lossguide, 48 leaves) are not
    tabulated; generation falls back to the one-address path and agrees."""
    forest_path = os.path.join(os.path.dirname(ref.GOLDEN_DIR), "forests", "xgb_reg_squarederror_lossguide.json")
    f = Forest.load(forest_path)
    nf = f.feature_count
    doc = {"format": "trigml.lut-scheme", "format_version": 1, "name": "walk", "first_address": 0, "address_bits": 2 * nf,
           "fields": [{"name": f"f{i}", "offset": 2 * i, "width": 2, "linear": {"scale": 0.9, "offset": -1.3}} for i in range(nf)],
           "inputs": [f"f{i}" for i in range(nf)]}
    p = tmp_path / "walk.json"
    p.write_text(json.dumps(doc))
    s = LUTScheme.load(str(p))
    c = pt_conversion("emtf2022")
    words = generate_lut(s, f, c, 0, s.address_count)
    direct, margins = evaluate_lut(s, f, c, np.arange(s.address_count, dtype=np.uint64))
    assert np.array_equal(words, direct)
    # the exact sum agrees with XGBoost's float32 running sum to float32 rounding
    x = s.decode(np.arange(s.address_count, dtype=np.uint64))
    base, trees = ref.load_trees(forest_path)
    assert np.array_equal(ref.exact_output(base, trees, x[:300]), margins[:300])
