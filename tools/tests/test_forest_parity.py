"""Forest parity and bad-input tests through the C ABI (ctypes).

    python3 -m pytest tools/tests/test_forest_parity.py

Needs libtrigml.so (swift build -c release -Xswiftc -static-stdlib) and
xgboost. For every model in Tests/golden/forests/ (tools/lut/forest_xgb_models.py),
tml_forest_predict must equal Booster.predict(DMatrix, output_margin=True)
bit for bit on 1,048,576 rows, passed row-major, column-major (SoA) and as a
strided view. The rows are built to hit the model's own thresholds exactly,
one ulp either side, NaN (missing), +-0.0 and ordinary values.
"""
import json
import os
import zlib

import numpy as np
import pytest

from trigml import (
    TML_ERR_FORMAT, TML_ERR_INVALID_ARGUMENT, TML_ERR_IO, TML_ERR_SHAPE, TML_ERR_UNSUPPORTED, TrigMLError,
)
from trigml.forest import Forest
from trigml._library import library as lib
import checkout_paths

xgb = pytest.importorskip("xgboost")

REPO = str(checkout_paths.ROOT)
MODEL_DIR = os.path.join(REPO, "Tests", "golden", "forests")
MODELS = sorted(f for f in os.listdir(MODEL_DIR) if f.startswith("xgb_") and f.endswith(".json"))
N_ROWS = 1 << 20


def model_thresholds(doc, n_features):
    """Per feature, the float32 split values the model uses."""
    per = [[] for _ in range(n_features)]
    for t in doc["learner"]["gradient_booster"]["model"]["trees"]:
        for left, f, c in zip(t["left_children"], t["split_indices"], t["split_conditions"]):
            if left != -1:
                per[f].append(c)
    return [np.unique(np.array(v, dtype=np.float32)) if v else np.zeros(1, np.float32) for v in per]


def parity_rows(doc, n_rows, seed):
    n_features = int(doc["learner"]["learner_model_param"]["num_feature"])
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_rows, n_features)).astype(np.float32) * 2
    cuts = model_thresholds(doc, n_features)
    kind = rng.integers(0, 10, size=x.shape)
    for j in range(n_features):
        c = cuts[j][rng.integers(0, cuts[j].size, size=n_rows)]
        col = x[:, j]
        k = kind[:, j]
        col[k <= 2] = c[k <= 2]                                           # exactly on a threshold
        col[k == 3] = np.nextafter(c[k == 3], np.float32(np.inf))          # one ulp above
        col[k == 4] = np.nextafter(c[k == 4], np.float32(-np.inf))         # one ulp below
        col[k == 5] = np.nan                                               # missing
        col[k == 6] = np.where(rng.random(n_rows) < 0.5, 0.0, -0.0)[k == 6].astype(np.float32)
        col[k == 7] = rng.integers(-4, 5, size=n_rows)[k == 7]             # small integers
    return x


def bits(a):
    return np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)


@pytest.fixture(scope="module", params=MODELS)
def model(request):
    path = os.path.join(MODEL_DIR, request.param)
    with open(path) as fh:
        doc = json.load(fh)
    booster = xgb.Booster(model_file=path)
    booster.set_param({"nthread": 2})
    return path, doc, booster


def test_models_present():
    assert len(MODELS) >= 5, MODELS
    objectives = set()
    for name in MODELS:
        with open(os.path.join(MODEL_DIR, name)) as fh:
            objectives.add(json.load(fh)["learner"]["objective"]["name"])
    assert objectives >= {"reg:squarederror", "reg:absoluteerror", "binary:logistic", "reg:logistic"}


def test_parity_bit_for_bit(model):
    path, doc, booster = model
    forest = Forest.load(path)
    n_trees = len(doc["learner"]["gradient_booster"]["model"]["trees"])
    assert forest.tree_count == n_trees
    assert forest.feature_count == int(doc["learner"]["learner_model_param"]["num_feature"])

    x = parity_rows(doc, N_ROWS, seed=zlib.crc32(os.path.basename(path).encode()))
    assert np.isnan(x).any() and (x == 0).any()
    want = booster.predict(xgb.DMatrix(x), output_margin=True)
    assert want.dtype == np.float32 and want.shape == (N_ROWS,)

    # Row-major.
    got = forest.predict(x)
    mismatches = int(np.count_nonzero(bits(got) != bits(want)))
    assert mismatches == 0, f"{mismatches} of {N_ROWS} rows differ (row-major)"

    # Column-major / SoA: passed as row_stride 1, feature_stride n_rows.
    out = forest.predict(np.asfortranarray(x))
    mismatches = int(np.count_nonzero(bits(out) != bits(want)))
    assert mismatches == 0, f"{mismatches} of {N_ROWS} rows differ (SoA)"

    # A strided view: every other row of a wider array, features 3 apart.
    n_features = x.shape[1]
    n = N_ROWS // 4
    wide = np.full((2 * n, 3 * n_features), 7.0, dtype=np.float32)
    wide[::2, ::3] = x[:n]
    out = forest.predict(wide[::2, ::3])  # passed as row_stride 6 * n_features, feature_stride 3
    mismatches = int(np.count_nonzero(bits(out) != bits(want[:n])))
    assert mismatches == 0, f"{mismatches} of {n} rows differ (strided)"


def test_batch_sizes_agree(model):
    """Any row count (block tails, single rows) gives the same bits."""
    path, doc, _ = model
    forest = Forest.load(path)
    x = parity_rows(doc, 300, seed=7)
    full = forest.predict(x)
    for n in (1, 2, 3, 7, 31, 32, 33, 63, 64, 65, 100, 129):
        part = forest.predict(x[:n])
        assert np.array_equal(bits(part), bits(full[:n])), n
    one_by_one = np.concatenate([forest.predict(x[i:i + 1]) for i in range(40)])
    assert np.array_equal(bits(one_by_one), bits(full[:40]))


# ---------------------------------------------------------------- bad input

GOOD = os.path.join(MODEL_DIR, "xgb_reg_squarederror.json")


def load_doc():
    with open(GOOD) as fh:
        return json.load(fh)


def write(tmp_path, name, content):
    p = tmp_path / name
    if isinstance(content, (dict, list)):
        content = json.dumps(content)
    if isinstance(content, str):
        content = content.encode()
    p.write_bytes(content)
    return str(p)


def expect_error(path, status, *words):
    with pytest.raises(TrigMLError) as info:
        Forest.load(path)
    err = info.value
    assert err.status == status, f"status {err.status} != {status}: {err.message}"
    assert err.message.startswith("tml_forest_load:"), err.message
    for w in words:
        assert w in err.message, f"{w!r} not in {err.message!r}"
    return err.message


def tree0(doc):
    return doc["learner"]["gradient_booster"]["model"]["trees"][0]


def first_leaf(t):
    return t["left_children"].index(-1)


def test_missing_file(tmp_path):
    expect_error(str(tmp_path / "nope.json"), TML_ERR_IO, "cannot open")


def test_truncated_and_malformed(tmp_path):
    text = open(GOOD, "rb").read()
    expect_error(write(tmp_path, "t1.json", text[: len(text) // 2]), TML_ERR_FORMAT, "end of file")
    expect_error(write(tmp_path, "t2.json", text[:1]), TML_ERR_FORMAT)
    expect_error(write(tmp_path, "t3.json", b""), TML_ERR_FORMAT)
    expect_error(write(tmp_path, "m1.json", text.replace(b"[", b"{", 1)), TML_ERR_FORMAT, "line 1")
    expect_error(write(tmp_path, "m2.json", b"[1, 2, 3]"), TML_ERR_FORMAT, "expected an object")
    expect_error(write(tmp_path, "m3.json", b'{"something": 1}'), TML_ERR_FORMAT, "neither")
    expect_error(write(tmp_path, "m4.json", b"\x00\xff\xfe garbage"), TML_ERR_FORMAT)


def test_cycle(tmp_path):
    doc = load_doc()
    t = tree0(doc)
    k = max(i for i, l in enumerate(t["left_children"]) if l != -1)
    t["right_children"][k] = 0          # back to the root
    expect_error(write(tmp_path, "cycle.json", doc), TML_ERR_FORMAT, "trees[0]", "second time")
    doc = load_doc()
    t = tree0(doc)
    t["left_children"][0] = 0           # self loop
    expect_error(write(tmp_path, "self.json", doc), TML_ERR_FORMAT, "second time")
    doc = load_doc()
    t = tree0(doc)
    t["right_children"][0] = t["left_children"][0]
    expect_error(write(tmp_path, "same.json", doc), TML_ERR_FORMAT, "both children")


def test_out_of_range_indices(tmp_path):
    doc = load_doc()
    tree0(doc)["left_children"][0] = 100000
    expect_error(write(tmp_path, "child.json", doc), TML_ERR_FORMAT, "left child 100000", "outside")
    doc = load_doc()
    tree0(doc)["right_children"][0] = -7
    expect_error(write(tmp_path, "neg.json", doc), TML_ERR_FORMAT, "right child -7")
    doc = load_doc()
    tree0(doc)["split_indices"][0] = 8
    expect_error(write(tmp_path, "feat.json", doc), TML_ERR_FORMAT, "feature 8", "[0, 8)")
    doc = load_doc()
    t = tree0(doc)
    t["right_children"][first_leaf(t)] = 1
    expect_error(write(tmp_path, "half.json", doc), TML_ERR_FORMAT, "leaf needs both")


def test_non_finite_values(tmp_path):
    doc = load_doc()
    t = tree0(doc)
    text = json.dumps(doc)
    # JSON has no NaN: XGBoost-style files can only carry it as a bare token
    # (malformed) or as an overflowing number (non-finite after rounding).
    leaf = first_leaf(t)
    t["split_conditions"][leaf] = 1.0e300     # rounds to +inf in float32
    expect_error(write(tmp_path, "infleaf.json", doc), TML_ERR_FORMAT, "leaf node", "non-finite")
    doc = load_doc()
    tree0(doc)["split_conditions"][0] = -1.0e300
    expect_error(write(tmp_path, "infcut.json", doc), TML_ERR_FORMAT, "threshold", "non-finite")
    nan_text = text.replace('"split_conditions": [', '"split_conditions": [NaN, ', 1)
    expect_error(write(tmp_path, "nan.json", nan_text), TML_ERR_FORMAT, "unexpected character 'N'")


def test_mismatched_lengths(tmp_path):
    for key in ("right_children", "split_indices", "split_conditions", "default_left"):
        doc = load_doc()
        tree0(doc)[key].pop()
        expect_error(write(tmp_path, f"len_{key}.json", doc), TML_ERR_SHAPE, "trees[0]")
    doc = load_doc()
    tree0(doc)["tree_param"]["num_nodes"] = "3"
    expect_error(write(tmp_path, "numnodes.json", doc), TML_ERR_SHAPE, "num_nodes")
    doc = load_doc()
    doc["learner"]["gradient_booster"]["model"]["gbtree_model_param"]["num_trees"] = "21"
    expect_error(write(tmp_path, "numtrees.json", doc), TML_ERR_SHAPE, "num_trees")
    doc = load_doc()
    doc["learner"]["gradient_booster"]["model"]["tree_info"].pop()
    expect_error(write(tmp_path, "treeinfo.json", doc), TML_ERR_SHAPE, "tree_info")


def test_unsupported_models(tmp_path):
    doc = load_doc()
    doc["learner"]["objective"]["name"] = "count:poisson"
    expect_error(write(tmp_path, "poisson.json", doc), TML_ERR_UNSUPPORTED, "count:poisson", "reg:squarederror")
    doc = load_doc()
    doc["learner"]["objective"]["name"] = "multi:softprob"
    expect_error(write(tmp_path, "softprob.json", doc), TML_ERR_UNSUPPORTED, "multi-class")
    doc = load_doc()
    doc["learner"]["learner_model_param"]["num_class"] = "3"
    expect_error(write(tmp_path, "nclass.json", doc), TML_ERR_UNSUPPORTED, "multi-class")
    doc = load_doc()
    doc["learner"]["learner_model_param"]["num_target"] = "2"
    expect_error(write(tmp_path, "ntarget.json", doc), TML_ERR_UNSUPPORTED, "multi-target")
    doc = load_doc()
    doc["learner"]["learner_model_param"]["base_score"] = "[5E-1,2E-1]"
    expect_error(write(tmp_path, "base2.json", doc), TML_ERR_UNSUPPORTED, "several values")
    doc = load_doc()
    doc["learner"]["gradient_booster"]["model"]["tree_info"][3] = 1
    expect_error(write(tmp_path, "info.json", doc), TML_ERR_UNSUPPORTED, "tree_info[3]")
    doc = load_doc()
    tree0(doc)["split_type"][0] = 1
    expect_error(write(tmp_path, "cat.json", doc), TML_ERR_UNSUPPORTED, "categorical")
    doc = load_doc()
    doc["learner"]["gradient_booster"]["name"] = "gblinear"
    expect_error(write(tmp_path, "linear.json", doc), TML_ERR_UNSUPPORTED, "gbtree")


def test_logistic_base_score_range(tmp_path):
    with open(os.path.join(MODEL_DIR, "xgb_binary_logistic.json")) as fh:
        doc = json.load(fh)
    for bad in ("[0E0]", "[1E0]", "[-1E-1]"):
        doc["learner"]["learner_model_param"]["base_score"] = bad
        expect_error(write(tmp_path, "p.json", doc), TML_ERR_FORMAT, "base_score", "(0, 1)")


def test_predict_arguments():
    forest = Forest.load(GOOD)
    L = lib()
    x = np.zeros((4, 8), dtype=np.float32)
    out = np.empty(4, dtype=np.float32)
    assert L.tml_forest_predict(None, 4, x.ctypes.data, 8, 1, out.ctypes.data) == TML_ERR_INVALID_ARGUMENT
    assert b"forest handle is NULL" in L.tml_last_error()
    assert L.tml_forest_predict(forest._handle, 4, None, 8, 1, out.ctypes.data) == TML_ERR_INVALID_ARGUMENT
    assert b"x is NULL" in L.tml_last_error()
    assert L.tml_forest_predict(forest._handle, 4, x.ctypes.data, 8, 1, None) == TML_ERR_INVALID_ARGUMENT
    assert b"out is NULL" in L.tml_last_error()
    assert L.tml_forest_predict(forest._handle, 1 << 62, x.ctypes.data, 8, 1, out.ctypes.data) == TML_ERR_INVALID_ARGUMENT
    assert L.tml_forest_predict(forest._handle, 4, x.ctypes.data, 1 << 60, 1, out.ctypes.data) == TML_ERR_INVALID_ARGUMENT
    # Strides whose last element lies past 2^45 floats cannot address memory.
    assert L.tml_forest_predict(forest._handle, 4, x.ctypes.data, 1 << 44, 1 << 44, out.ctypes.data) == TML_ERR_INVALID_ARGUMENT
    assert b"past 2^45" in L.tml_last_error()
    # Zero rows: nothing is read or written, NULL pointers are fine.
    assert L.tml_forest_predict(forest._handle, 0, None, 0, 0, None) == 0
    assert L.tml_forest_feature_count(None) == -1
    assert L.tml_forest_tree_count(None) == -1
    L.tml_forest_free(None)
    status = L.tml_forest_load(None, None)
    assert status == TML_ERR_INVALID_ARGUMENT


# ------------------------------------------------------- own forest format

def own_forest():
    """Two trees on 2 features; x0 < 0.5 ? ... in double, EMTF convention."""
    return {
        "format": "trigml.forest", "format_version": 1, "feature_count": 2,
        "base_score": 0.1,
        "trees": [
            {"left": [1, -1, 3, -1, -1], "right": [2, -1, 4, -1, -1], "feature": [0, 0, 1, 0, 0],
             "threshold": [0.5, 0, 2, 0, 0], "value": [0, 0.25, 0, -1e-9, 3.0]},
            {"left": [-1], "right": [-1], "feature": [0], "threshold": [0], "value": [1e-17]},
        ],
    }


def reference_own(doc, x):
    out = []
    for row in x:
        s = doc.get("base_score", 0.0)
        for t in doc["trees"]:
            i = 0
            dl = t.get("default_left", [False] * len(t["left"]))
            while t["left"][i] != -1:
                v = row[t["feature"][i]]
                cut = np.float32(t["threshold"][i])
                if np.isnan(v):
                    i = t["left"][i] if dl[i] else t["right"][i]
                else:
                    i = t["left"][i] if v < cut else t["right"][i]
            s += t["value"][i]
        out.append(np.float32(s))
    return np.array(out, dtype=np.float32)


def test_own_format(tmp_path):
    doc = own_forest()
    path = write(tmp_path, "own.json", doc)
    f = Forest.load(path)
    assert (f.feature_count, f.tree_count) == (2, 2)
    x = np.array([[0.0, 0], [0.5, 1.9], [0.5, 2.0], [np.nan, 5], [1, np.nan], [-0.0, 0]], dtype=np.float32)
    got = f.predict(x)
    want = reference_own(doc, x)
    assert np.array_equal(bits(got), bits(want)), (got, want)
    # The sum is in double: 0.1 + 0.25 + 1e-17 rounded once.
    assert got[0] == np.float32(0.1 + 0.25 + 1e-17)
    doc["trees"][0]["default_left"] = [True, False, False, False, False]
    f2 = Forest.load(write(tmp_path, "own2.json", doc))
    assert f2.predict(x[3:4])[0] == np.float32(0.1 + 0.25 + 1e-17)


def test_own_format_errors(tmp_path):
    doc = own_forest()
    doc["trees"][0]["value"].pop()
    expect_error(write(tmp_path, "a.json", doc), TML_ERR_SHAPE, "trees[0]")
    doc = own_forest()
    doc["trees"][0]["left"][2] = 0
    expect_error(write(tmp_path, "b.json", doc), TML_ERR_FORMAT, "second time")
    doc = own_forest()
    doc["trees"][0]["feature"][2] = 2
    expect_error(write(tmp_path, "c.json", doc), TML_ERR_FORMAT, "feature 2")
    doc = own_forest()
    doc["trees"][0]["value"][1] = 1e999
    expect_error(write(tmp_path, "d.json", json.dumps(doc).replace("Infinity", "1e999")), TML_ERR_FORMAT, "non-finite")
    doc = own_forest()
    doc["format_version"] = 2
    expect_error(write(tmp_path, "e.json", doc), TML_ERR_UNSUPPORTED, "version")
    doc = own_forest()
    del doc["feature_count"]
    expect_error(write(tmp_path, "f.json", doc), TML_ERR_FORMAT, "feature_count is missing")
