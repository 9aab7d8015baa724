"""Bad input through the C ABI of the decorrelated-tagger calls: every case
returns a status and a message naming the problem, never a crash, and
writes no output on failure."""
import ctypes
import json

import numpy as np
import pytest

import jets_file
import tagger_golden as golden
import trigml
from trigml import _abi
from trigml._library import last_error
from trigml._library import library as clib
from trigml.tagger import JetBatch

GOLDEN = golden.GOLDEN


def config(q, **changes):
    """A tml_ddt_config with members set as given, unchecked: what a C
    caller can pass."""
    cfg = trigml.ddt_config(q)
    for key, value in changes.items():
        setattr(cfg, key, value)
    return cfg


@pytest.fixture(scope="module")
def jets():
    return jets_file.read_jets(GOLDEN / "jets.bin")


def fails(call, status, *words):
    with pytest.raises(trigml.TrigMLError) as e:
        call()
    assert e.value.status == status, e.value
    for w in words:
        assert w in e.value.message, e.value.message
    return e.value.message


# ------------------------------------------------------------- model files

def model_doc(name="deepsets_sigmoid"):
    return json.loads((GOLDEN / f"{name}.json").read_text())


BROKEN_MODELS = [
    ("missing file", None, trigml.TML_ERR_IO, ["cannot open"]),
    ("not json", "{\"format\": ", trigml.TML_ERR_FORMAT, ["JSON error"]),
    ("wrong format", lambda d: d.update(format="trigml.t5-model"), trigml.TML_ERR_FORMAT, ["format"]),
    ("future version", lambda d: d.update(format_version=3), trigml.TML_ERR_UNSUPPORTED, ["format_version"]),
    ("unknown kind", lambda d: d.update(kind="transformer"), trigml.TML_ERR_FORMAT, ["kind"]),
    ("unknown output", lambda d: d.update(output="relu"), trigml.TML_ERR_FORMAT, ["output"]),
    ("unknown activation", lambda d: d["phi"][0].update(activation="gelu"), trigml.TML_ERR_FORMAT, ["phi[0].activation"]),
    ("phi input mismatch", lambda d: d["phi"][0].update(inputs=4), trigml.TML_ERR_SHAPE, ["phi[0].inputs"]),
    ("f input mismatch", lambda d: d["jet_features"].pop(), trigml.TML_ERR_SHAPE, ["f[0].inputs"]),
    ("v1 scaling length", lambda d: (d.clear(), d.update(model_doc("v1/deepsets_sigmoid")), d["jet_features"].pop()),
     trigml.TML_ERR_SHAPE, ["jet_scaling.offset"]),
    ("unknown key", lambda d: d.update(provenace="x"), trigml.TML_ERR_FORMAT,
     ["provenace is not a known key", "did you mean 'provenance'"]),
    ("unknown input key", lambda d: d["jet_features"][6].update(divde_by=50), trigml.TML_ERR_FORMAT,
     ["jet_features[6].divde_by", "did you mean 'divide_by'"]),
    ("unknown layer key", lambda d: d["f"][0].update(wieghts=[]), trigml.TML_ERR_FORMAT,
     ["f[0].wieghts", "did you mean 'weights'"]),
    ("v1 scaling in v2", lambda d: d.update(jet_scaling={"offset": [0] * 7, "scale": [1] * 7}), trigml.TML_ERR_FORMAT,
     ["jet_scaling is format_version 1"]),
    ("bare name in v2", lambda d: d["constituent_features"].__setitem__(0, "log_pt_fraction"), trigml.TML_ERR_FORMAT,
     ["constituent_features[0] is a bare name"]),
    ("divide by 0", lambda d: d["jet_features"][6].update(divide_by=0), trigml.TML_ERR_FORMAT,
     ["jet_features[6].divide_by is 0"]),
    ("weights rows", lambda d: d["f"][1]["weights"].pop(), trigml.TML_ERR_SHAPE, ["f[1].weights"]),
    ("bias length", lambda d: d["f"][1]["bias"].append(0.0), trigml.TML_ERR_SHAPE, ["f[1].bias"]),
    ("infinite weight", "inf", trigml.TML_ERR_FORMAT, ["not a finite"]),
    ("logit layer not linear", lambda d: d["f"][1].update(activation="relu"), trigml.TML_ERR_FORMAT, ["linear"]),
    ("sigmoid with 2 logits", "two", trigml.TML_ERR_SHAPE, ["sigmoid"]),
    ("alpha on relu", lambda d: d["phi"][0].update(alpha=0.1), trigml.TML_ERR_FORMAT, ["alpha"]),
    ("no layers", lambda d: d.update(f=[]), trigml.TML_ERR_SHAPE, ["f must hold"]),
    ("mlp with phi", lambda d: d.update(kind="mlp"), trigml.TML_ERR_FORMAT, ["deep_sets"]),
]


@pytest.mark.parametrize("case,change,status,words", BROKEN_MODELS, ids=[c[0] for c in BROKEN_MODELS])
def test_broken_model_files(tmp_path, case, change, status, words):
    path = tmp_path / "model.json"
    if change is None:
        path = tmp_path / "absent.json"
    elif isinstance(change, str) and change.startswith("{"):
        path.write_text(change)
    elif change == "inf":
        d = model_doc()
        d["phi"][1]["weights"][2][3] = "INFINITY"
        path.write_text(json.dumps(d).replace('"INFINITY"', "1e999"))
    elif change == "two":
        d = model_doc()
        last = d["f"][1]
        last["outputs"] = 2
        last["weights"] = [row + [0.5] for row in last["weights"]]
        last["bias"].append(0.0)
        path.write_text(json.dumps(d))
    else:
        d = model_doc()
        change(d)
        path.write_text(json.dumps(d))
    fails(lambda: trigml.Tagger.load(path), status, *words)


# ------------------------------------------------------------------ batches

@pytest.fixture(scope="module")
def deepsets():
    t = trigml.Tagger.load(GOLDEN / "deepsets_sigmoid.json")
    yield t
    t.close()


def score_raw(tagger, batch, out=None):
    out = np.full((max(batch.n_jets, 1), 1), -7.0, np.float32) if out is None else out
    status = clib().tml_tagger_score(tagger.handle, ctypes.byref(batch.struct),
                                      out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
    return status, out


def test_offsets_not_monotone(deepsets, jets):
    off = jets["offsets"].copy()
    off[5], off[6] = off[6], off[5]
    b = JetBatch(jets["jet_features"], off, jets["constituent_features"])
    status, out = score_raw(deepsets, b)
    assert status == trigml.TML_ERR_INVALID_ARGUMENT and "not monotone" in last_error()
    assert np.all(out == -7.0)  # nothing written


def test_offsets_past_the_end(deepsets, jets):
    off = jets["offsets"].copy()
    off[-1] += 1
    fails(lambda: deepsets.score(jets["jet_features"], off, jets["constituent_features"]),
          trigml.TML_ERR_INVALID_ARGUMENT, "past n_constituents")
    off = jets["offsets"].copy()
    off[3] = np.uint64(2 ** 63)
    fails(lambda: deepsets.score(jets["jet_features"], off, jets["constituent_features"]),
          trigml.TML_ERR_INVALID_ARGUMENT, "constituent_offsets[3]")


def test_missing_offsets_and_features(deepsets, jets):
    b = JetBatch(jets["jet_features"], jets["offsets"], jets["constituent_features"])
    b.struct.constituent_offsets = None
    assert score_raw(deepsets, b)[0] == trigml.TML_ERR_INVALID_ARGUMENT
    assert "constituent_offsets is NULL" in last_error()
    b = JetBatch(jets["jet_features"], jets["offsets"], jets["constituent_features"])
    b.struct.constituent_features = None
    assert score_raw(deepsets, b)[0] == trigml.TML_ERR_INVALID_ARGUMENT
    b = JetBatch(jets["jet_features"], jets["offsets"], jets["constituent_features"])
    b.struct.jet_features = None
    assert score_raw(deepsets, b)[0] == trigml.TML_ERR_INVALID_ARGUMENT
    assert "jet_features is NULL" in last_error()
    b = JetBatch(jets["jet_features"], jets["offsets"], jets["constituent_features"])
    assert clib().tml_tagger_score(deepsets.handle, ctypes.byref(b.struct), None) == trigml.TML_ERR_INVALID_ARGUMENT
    assert clib().tml_tagger_score(None, ctypes.byref(b.struct), None) == trigml.TML_ERR_INVALID_ARGUMENT
    assert clib().tml_tagger_score(deepsets.handle, None, None) == trigml.TML_ERR_INVALID_ARGUMENT


def test_feature_count_mismatch(deepsets, jets):
    fails(lambda: deepsets.score_batch(JetBatch(jets["jet_features"][:, :5], jets["offsets"],
                                                jets["constituent_features"])),
          trigml.TML_ERR_SHAPE, "jet_feature_count = 5")
    fails(lambda: deepsets.score_batch(JetBatch(jets["jet_features"], jets["offsets"],
                                                jets["constituent_features"][:, :2])),
          trigml.TML_ERR_SHAPE, "constituent_feature_count = 2")
    with trigml.Tagger.load(GOLDEN / "mlp_sigmoid.json") as mlp:
        fails(lambda: mlp.score_batch(JetBatch(jets["jet_features"][:, :6])), trigml.TML_ERR_SHAPE, "jet_feature_count")


def test_huge_counts(deepsets, jets):
    b = JetBatch(jets["jet_features"], jets["offsets"], jets["constituent_features"])
    b.struct.n_jets = 2 ** 62
    assert score_raw(deepsets, b)[0] == trigml.TML_ERR_INVALID_ARGUMENT
    b = JetBatch(jets["jet_features"], jets["offsets"], jets["constituent_features"])
    b.struct.n_constituents = 2 ** 63
    assert score_raw(deepsets, b)[0] == trigml.TML_ERR_INVALID_ARGUMENT


def test_empty_batch_and_empty_jets(deepsets, jets):
    b = JetBatch(np.zeros((0, 7), np.float32), np.zeros(1, np.uint64), np.zeros((0, 3), np.float32))
    assert clib().tml_tagger_score(deepsets.handle, ctypes.byref(b.struct), None) == trigml.TML_OK
    # jets without constituents are fine (pooled vector 0)
    out = deepsets.score(jets["jet_features"][:3], np.zeros(4, np.uint64), np.zeros((0, 3), np.float32))
    assert np.isfinite(out).all()


def test_null_handles_and_counts():
    assert clib().tml_tagger_output_count(None) == -1
    assert clib().tml_tagger_jet_feature_count(None) == -1
    assert clib().tml_tagger_constituent_feature_count(None) == -1
    clib().tml_tagger_free(None)
    clib().tml_ddt_free(None)
    h = ctypes.c_void_p()
    assert clib().tml_tagger_load(None, ctypes.byref(h)) == trigml.TML_ERR_INVALID_ARGUMENT
    assert clib().tml_tagger_load(b"x", None) == trigml.TML_ERR_INVALID_ARGUMENT
    assert clib().tml_ddt_load(None, ctypes.byref(h)) == trigml.TML_ERR_INVALID_ARGUMENT


# -------------------------------------------------------------- discriminant

def test_log_ratio_bad_fractions():
    p = np.array([[0.5, 0.3, 0.2]], np.float32)
    fails(lambda: trigml.log_ratio_discriminant(p, 0, [0, 0.5, 0.6]), trigml.TML_ERR_INVALID_ARGUMENT, "sum to")
    fails(lambda: trigml.log_ratio_discriminant(p, 0, [0, -0.5, 1.5]), trigml.TML_ERR_INVALID_ARGUMENT, "negative")
    fails(lambda: trigml.log_ratio_discriminant(p, 0, [0, np.nan, 1.0]), trigml.TML_ERR_INVALID_ARGUMENT, "not finite")
    fails(lambda: trigml.log_ratio_discriminant(p, 3, [0, 0.5, 0.5]), trigml.TML_ERR_INVALID_ARGUMENT, "signal_class")
    fails(lambda: trigml.log_ratio_discriminant(p, -1, [0, 0.5, 0.5]), trigml.TML_ERR_INVALID_ARGUMENT, "signal_class")
    fails(lambda: trigml.log_ratio_discriminant(p[:, :1], 0, [1.0]), trigml.TML_ERR_INVALID_ARGUMENT, "n_classes")
    assert clib().tml_discriminant_log_ratio(1, 3, None, 0, None, None) == trigml.TML_ERR_INVALID_ARGUMENT
    # within 1e-6 is accepted; NaN probabilities give NaN
    d = trigml.log_ratio_discriminant(np.array([[0.5, 0.3, 0.2], [np.nan, 0.5, 0.5], [0.0, 0.0, 0.0]], np.float32), 0,
                      [0, 0.5, 0.5000005])
    assert np.isfinite(d[0]) and np.isnan(d[1]) and d[2] == 0.0


# ----------------------------------------------------------------------- DDT

def test_config_init_checks_q():
    cfg = _abi.TmlDdtConfig()
    for q in (0.0, 1.0, -0.1, 1.5, float("nan"), float("inf")):
        assert clib().tml_ddt_config_init(ctypes.byref(cfg), q) == trigml.TML_ERR_INVALID_ARGUMENT
        assert "background_efficiency" in last_error()
    assert clib().tml_ddt_config_init(None, 0.1) == trigml.TML_ERR_INVALID_ARGUMENT
    cfg = config(0.05)
    assert (cfg.background_efficiency, cfg.rho_min, cfg.rho_max, cfg.rho_bins) == (0.05, -7.0, 0.0, 35)
    assert (cfg.pt_min, cfg.pt_max, cfg.pt_bins) == (200.0, 1000.0, 8)
    assert (cfg.smoothing, cfg.direction, cfg.empty_bins, cfg.min_entries, cfg.neighbours) == (0, 0, 0, 20, 5)


def background(n=2000, seed=1):
    rng = np.random.default_rng(seed)
    pt = rng.uniform(300, 900, n).astype(np.float32)
    mass = (pt * np.exp(rng.uniform(-3.0, -1.0, n))).astype(np.float32)
    return rng.uniform(size=n).astype(np.float32), mass, pt, rng.uniform(0.5, 1.5, n).astype(np.float32)


@pytest.mark.parametrize("column,index,value,words", [
    ("mass", 7, np.nan, ["mass[7]", "not finite"]),
    ("mass", 8, -5.0, ["mass[8]", "negative"]),
    ("pt", 9, 0.0, ["pt[9]", "pT > 0"]),
    ("pt", 10, -300.0, ["pt[10]"]),
    ("pt", 11, np.inf, ["pt[11]"]),
    ("score", 12, np.nan, ["score[12]"]),
    ("weight", 13, np.nan, ["weight[13]"]),
    ("weight", 14, -1.0, ["weight[14]", "negative"]),
])
def test_build_rejects_bad_jets(column, index, value, words):
    cols = dict(zip(("score", "mass", "pt", "weight"), background()))
    cols[column][index] = value
    fails(lambda: trigml.DDTMap.build_with_config(cols["score"], cols["mass"], cols["pt"], cols["weight"], config(0.1)),
          trigml.TML_ERR_INVALID_ARGUMENT, *words)


@pytest.mark.parametrize("changes,words", [
    ({"background_efficiency": 0.0}, ["background_efficiency"]),
    ({"background_efficiency": 1.0}, ["background_efficiency"]),
    ({"background_efficiency": float("nan")}, ["background_efficiency"]),
    ({"rho_bins": 0}, ["rho bins"]),
    ({"pt_bins": -3}, ["pt bins"]),
    ({"rho_bins": 1000, "pt_bins": 1000}, ["16384"]),
    ({"rho_min": 0.0, "rho_max": -7.0}, ["rho range"]),
    ({"pt_max": float("inf")}, ["pt range"]),
    ({"pt_min": -10.0}, ["pt_min"]),
    ({"min_entries": 0}, ["min_entries"]),
    ({"direction": 2}, ["direction"]),
    ({"smoothing": 7}, ["smoothing"]),
    ({"empty_bins": -1}, ["empty_bins"]),
    ({"neighbours": 0}, ["neighbours"]),
    ({"neighbours": 65}, ["neighbours"]),
])
def test_build_rejects_bad_config(changes, words):
    s, m, p, w = background()
    fails(lambda: trigml.DDTMap.build_with_config(s, m, p, w, config(0.1, **changes)), trigml.TML_ERR_INVALID_ARGUMENT, *words)


def test_empty_bins():
    s, m, p, w = background()
    # the default fills the under-populated bins ...
    with trigml.DDTMap.build_with_config(s, m, p, w, config(0.1)) as mp:
        assert np.isfinite(mp.apply(s, m, p)).all()
    # ... TML_DDT_EMPTY_FAIL names the first one
    fails(lambda: trigml.DDTMap.build_with_config(s, m, p, w, config(0.1, empty_bins=trigml.TML_DDT_EMPTY_FAIL)),
          trigml.TML_ERR_INVALID_ARGUMENT, "bin (rho 0", "min_entries = 20")
    # no bin at all with enough jets
    fails(lambda: trigml.DDTMap.build_with_config(s[:10], m[:10], p[:10], w[:10], config(0.1)),
          trigml.TML_ERR_INVALID_ARGUMENT, "no (rho, pT) bin")
    # every jet outside the map
    fails(lambda: trigml.DDTMap.build_with_config(s, m, p, w, config(0.1, pt_min=2000.0, pt_max=3000.0)),
          trigml.TML_ERR_INVALID_ARGUMENT, "0 of 2000 jets")
    # zero weights do not count as entries
    fails(lambda: trigml.DDTMap.build_with_config(s, m, p, np.zeros_like(w), config(0.1)),
          trigml.TML_ERR_INVALID_ARGUMENT, "no (rho, pT) bin")


def test_build_null_and_zero():
    cfg = config(0.1)
    h = ctypes.c_void_p()
    x = np.ones(4, np.float32)
    px = x.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
    assert clib().tml_ddt_build(0, px, px, px, None, ctypes.byref(cfg), ctypes.byref(h)) == trigml.TML_ERR_INVALID_ARGUMENT
    assert clib().tml_ddt_build(4, None, px, px, None, ctypes.byref(cfg), ctypes.byref(h)) == trigml.TML_ERR_INVALID_ARGUMENT
    assert clib().tml_ddt_build(4, px, px, px, None, None, ctypes.byref(h)) == trigml.TML_ERR_INVALID_ARGUMENT
    assert clib().tml_ddt_build(4, px, px, px, None, ctypes.byref(cfg), None) == trigml.TML_ERR_INVALID_ARGUMENT
    assert clib().tml_ddt_build(2 ** 63, px, px, px, None, ctypes.byref(cfg), ctypes.byref(h)) == trigml.TML_ERR_INVALID_ARGUMENT
    assert h.value is None
    out = np.zeros(4, np.float32)
    assert clib().tml_ddt_apply(None, 4, px, px, px, out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))) == trigml.TML_ERR_INVALID_ARGUMENT


@pytest.fixture(scope="module")
def saved_map(tmp_path_factory):
    path = tmp_path_factory.mktemp("ddt") / "map.json"
    s, m, p, w = background()
    with trigml.DDTMap.build_with_config(s, m, p, w, config(0.1, rho_bins=4, pt_bins=3)) as mp:
        mp.save(path)
    return json.loads(path.read_text())


BROKEN_MAPS = [
    ("format", lambda d: d.update(format="x"), trigml.TML_ERR_FORMAT, ["format"]),
    ("version", lambda d: d.update(format_version=9), trigml.TML_ERR_UNSUPPORTED, ["format_version"]),
    ("q", lambda d: d.update(background_efficiency=1.0), trigml.TML_ERR_FORMAT, ["background_efficiency"]),
    ("rows", lambda d: d["values"].pop(), trigml.TML_ERR_SHAPE, ["values has 3 rows"]),
    ("columns", lambda d: d["values"][1].pop(), trigml.TML_ERR_SHAPE, ["values[1] has 2 entries"]),
    ("bins", lambda d: d["rho"].update(bins=0), trigml.TML_ERR_FORMAT, ["rho"]),
    ("range", lambda d: d["pt"].update(min=2000.0), trigml.TML_ERR_FORMAT, ["pt range"]),
    ("value", lambda d: d["values"][0].__setitem__(0, "x"), trigml.TML_ERR_FORMAT, ["values[0][0]"]),
    ("direction", lambda d: d.update(direction="up"), trigml.TML_ERR_FORMAT, ["direction"]),
    ("transform", lambda d: d.update(score_transform="probit"), trigml.TML_ERR_FORMAT, ["score_transform"]),
    ("no transform", lambda d: d.pop("score_transform"), trigml.TML_ERR_FORMAT, ["score_transform is missing"]),
    ("transform in v1", lambda d: d.update(format_version=1), trigml.TML_ERR_FORMAT, ["needs format_version 2"]),
    ("unknown key", lambda d: d.update(score_transfrom="logit"), trigml.TML_ERR_FORMAT,
     ["score_transfrom is not a known key", "did you mean 'score_transform'"]),
    ("unknown axis key", lambda d: d["rho"].update(bnis=3), trigml.TML_ERR_FORMAT, ["rho.bnis", "did you mean 'bins'"]),
]


@pytest.mark.parametrize("case,change,status,words", BROKEN_MAPS, ids=[c[0] for c in BROKEN_MAPS])
def test_broken_map_files(tmp_path, saved_map, case, change, status, words):
    d = json.loads(json.dumps(saved_map))
    change(d)
    path = tmp_path / "map.json"
    path.write_text(json.dumps(d))
    fails(lambda: trigml.DDTMap.load(path), status, *words)


def test_truncated_and_missing_map_files(tmp_path, saved_map):
    text = json.dumps(saved_map)
    for cut in (0, 10, len(text) // 2, len(text) - 1):
        path = tmp_path / f"cut{cut}.json"
        path.write_text(text[:cut])
        fails(lambda: trigml.DDTMap.load(path), trigml.TML_ERR_FORMAT)
    path = tmp_path / "inf.json"
    path.write_text(text.replace('"values": [[', '"values": [[1e999, ', 1))
    with pytest.raises(trigml.TrigMLError):
        trigml.DDTMap.load(path)
    fails(lambda: trigml.DDTMap.load(tmp_path / "none.json"), trigml.TML_ERR_IO, "cannot open")
    s, m, p, w = background()
    with trigml.DDTMap.build_with_config(s, m, p, w, config(0.1)) as mp:
        fails(lambda: mp.save(tmp_path / "no" / "such" / "dir.json"), trigml.TML_ERR_IO)


# -------------------------------------------------------------------- metric

def test_metric_bad_inputs():
    rng = np.random.default_rng(2)
    n = 400
    score = rng.uniform(size=n).astype(np.float32)
    label = (np.arange(n) % 2).astype(np.uint8)
    mass = rng.uniform(40, 320, n).astype(np.float32)
    trigml.r50_jsd(score, label, mass)
    fails(lambda: trigml.r50_jsd(score, np.zeros(n, np.uint8), mass), trigml.TML_ERR_INVALID_ARGUMENT, "signal")
    fails(lambda: trigml.r50_jsd(score, np.ones(n, np.uint8), mass), trigml.TML_ERR_INVALID_ARGUMENT, "background")
    bad = mass.copy()
    bad[3] = np.nan
    fails(lambda: trigml.r50_jsd(score, label, bad), trigml.TML_ERR_INVALID_ARGUMENT, "mass[3]")
    bad = score.copy()
    bad[4] = np.inf
    fails(lambda: trigml.r50_jsd(bad, label, mass), trigml.TML_ERR_INVALID_ARGUMENT, "score[4]")
    w = np.ones(n, np.float32)
    w[5] = -1
    fails(lambda: trigml.r50_jsd(score, label, mass, w), trigml.TML_ERR_INVALID_ARGUMENT, "weight[5]")
    r, j = ctypes.c_double(), ctypes.c_double()
    assert clib().tml_metric_r50_jsd(n, None, None, None, None, ctypes.byref(r), ctypes.byref(j)) == trigml.TML_ERR_INVALID_ARGUMENT
    assert clib().tml_metric_r50_jsd(0, None, None, None, None, ctypes.byref(r), ctypes.byref(j)) == trigml.TML_ERR_INVALID_ARGUMENT
    # no background passes: rejection inf, 1/JSD NaN (empty pass histogram)
    s2 = np.where(label == 1, 1.0 + score, score).astype(np.float32)
    r2, j2 = trigml.r50_jsd(s2, label, mass)
    assert r2 == np.inf and np.isnan(j2)
