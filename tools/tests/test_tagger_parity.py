"""Library vs numpy reference for the decorrelated-tagger ABI: tagger scores
(<= 1e-6), DDT quantiles (exactly equal to the documented definition),
DDT apply and file round trip, the R50 / 1/JSD metric (<= 1e-9 relative).

Needs .build/release/libtrigml.so (or $TRIGML_LIB); golden files are in
Tests/golden/taggers (tools/taggers/tagger_golden.py writes them)."""

import numpy as np
import pytest

import ddt_reference as dr
import jets_file
import jets_parametric as jp
import tagger_golden as golden
import tagger_metrics as tm
import tagger_reference as ref
import trigml

GOLDEN = golden.GOLDEN
MODELS = ["mlp_sigmoid", "mlp_softmax", "deepsets_sigmoid", "deepsets_softmax"]


def reference_config(cfg):
    """A tml_ddt_config in the dict form ddt_reference reads."""
    return {"background_efficiency": cfg.background_efficiency, "rho_min": cfg.rho_min,
            "rho_max": cfg.rho_max, "rho_bins": cfg.rho_bins, "pt_min": cfg.pt_min,
            "pt_max": cfg.pt_max, "pt_bins": cfg.pt_bins, "min_entries": cfg.min_entries,
            "direction": ["higher_passes", "lower_passes"][cfg.direction],
            "empty_bins": ["fill", "fail"][cfg.empty_bins],
            "smoothing": ["none", "knn"][cfg.smoothing], "neighbours": cfg.neighbours,
            "score_transform": ["identity", "logit"][cfg.score_transform]}


@pytest.fixture(scope="module")
def jets():
    return jets_file.read_jets(GOLDEN / "jets.bin")


@pytest.fixture(scope="module")
def sample():
    return dict(np.load(GOLDEN / "ddt_sample.npz"))


def _score_args(model, jets):
    if model["kind"] == "mlp":
        return (jets["jet_features"],)
    jf = jets["jet_features"] if model["jet_features"] else np.zeros((len(jets["pt"]), 0), np.float32)
    return jf, jets["offsets"], jets["constituent_features"]


# ------------------------------------------------------------ reference itself

def test_quantile_with_unit_weights_is_hazen():
    rng = np.random.default_rng(3)
    s = np.sort(rng.normal(size=101))
    for level in (0.01, 0.1, 0.26, 0.5, 0.9, 0.999):
        assert dr.weighted_quantile(s, np.ones_like(s), level) == pytest.approx(
            np.quantile(s, level, method="hazen"), abs=1e-12)


def test_quantile_by_hand():
    """s = 0.1, 0.4, 0.7 with weights 2, 1, 3: positions 1/6, 5/12, 3/4."""
    s = np.array([0.1, 0.4, 0.7])
    w = np.array([2.0, 1.0, 3.0])
    assert dr.weighted_quantile(s, w, 0.1) == 0.1          # clamped below p_1
    assert dr.weighted_quantile(s, w, 1 / 6) == 0.1
    assert dr.weighted_quantile(s, w, 0.3) == pytest.approx(0.1 + 0.3 * (0.3 - 1 / 6) / (5 / 12 - 1 / 6))
    assert dr.weighted_quantile(s, w, 5 / 12) == pytest.approx(0.4)
    assert dr.weighted_quantile(s, w, 0.6) == pytest.approx(0.4 + 0.3 * (0.6 - 5 / 12) / (0.75 - 5 / 12))
    assert dr.weighted_quantile(s, w, 0.9) == 0.7          # clamped above p_n


def test_jsd_reference_matches_scipy():
    scipy_distance = pytest.importorskip("scipy.spatial.distance")
    rng = np.random.default_rng(5)
    p, f = rng.uniform(size=50), rng.uniform(size=50)
    p[::7] = 0
    assert tm.jsd_bits(p, f) == pytest.approx(scipy_distance.jensenshannon(p, f, base=2) ** 2, rel=1e-12)


# ------------------------------------------------------------------- taggers

@pytest.mark.parametrize("name", MODELS)
def test_tagger_scores_match_numpy(jets, name):
    model = ref.load_model(GOLDEN / f"{name}.json")
    expected = ref.score(model, *_score_args(model, jets))
    with trigml.Tagger.load(GOLDEN / f"{name}.json") as t:
        assert t.output_count == expected.shape[1]
        assert t.jet_feature_count == len(model["jet_features"])
        assert t.constituent_feature_count == len(model.get("constituent_features", []))
        got = t.score(*_score_args(model, jets))
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    assert np.nanmax(np.abs(got.astype(np.float64) - expected)) <= 1e-6
    # the committed golden scores are the reference's
    stored = golden.read_scores(GOLDEN / f"{name}.scores.bin")
    assert np.array_equal(np.isnan(stored), np.isnan(expected))
    assert np.nanmax(np.abs(stored - expected)) <= 1e-6
    # the NaN policy: the edge-case jets with a NaN / inf input, and only they
    nan_rows = np.nonzero(np.isnan(got).any(axis=1))[0]
    assert set(nan_rows) <= {len(got) - 2, len(got) - 1}
    assert not np.isnan(got[:-2]).any()
    if model["output"] == "softmax":
        assert np.allclose(np.nansum(got[:-2], axis=1), 1.0, atol=1e-6)


@pytest.mark.parametrize("name", ["deepsets_sigmoid", "mlp_softmax"])
def test_scores_do_not_depend_on_batching(jets, name):
    model = ref.load_model(GOLDEN / f"{name}.json")
    with trigml.Tagger.load(GOLDEN / f"{name}.json") as t:
        full = t.score(*_score_args(model, jets))
        for a, b in [(0, 1), (3, 10), (5, 6), (17, len(jets["pt"]))]:
            if model["kind"] == "mlp":
                part = t.score(jets["jet_features"][a:b])
            else:
                # a slice of the offsets pointing into the full constituent array
                part = t.score(jets["jet_features"][a:b], jets["offsets"][a:b + 1], jets["constituent_features"])
            assert np.array_equal(part, full[a:b], equal_nan=True)


def test_parametric_jets_are_deterministic():
    a = jp.generate(200, True, seed=4)
    b = jp.generate(200, True, seed=4)
    for key in a:
        assert np.array_equal(a[key], b[key])
    assert a["jet_features"].shape[1] == len(jp.JET_FEATURES)
    assert np.all((a["pt"] >= 300) & (a["pt"] <= 1000))


# -------------------------------------------------------------- discriminant

def test_log_ratio_matches_numpy(jets):
    model = ref.load_model(GOLDEN / "deepsets_softmax.json")
    with trigml.Tagger.load(GOLDEN / "deepsets_softmax.json") as t:
        prob = t.score(*_score_args(model, jets))
    fractions = np.array([0.3, 0.0, 0.018, 0.682], np.float32)
    got = trigml.log_ratio_discriminant(prob, 1, fractions)
    expected = ref.log_ratio(prob, 1, fractions)
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    assert np.nanmax(np.abs(got.astype(np.float64) - expected)) <= 1e-6
    # the signal entry is ignored
    fractions[1] = 123.0
    assert np.array_equal(trigml.log_ratio_discriminant(prob, 1, fractions), got, equal_nan=True)


# ----------------------------------------------------------------------- DDT

CONFIGS = [
    {},
    {"direction": trigml.TML_DDT_LOWER_PASSES},
    {"smoothing": trigml.TML_DDT_SMOOTHING_KNN, "neighbours": 4},
    {"rho_bins": 12, "pt_bins": 5, "min_entries": 5, "rho_min": -6.0, "rho_max": -1.0, "pt_min": 300.0},
    {"rho_bins": 1, "pt_bins": 1, "rho_min": -20.0, "rho_max": 1.0, "pt_min": 0.0, "pt_max": 2000.0},
]


@pytest.mark.parametrize("score_key", ["score", "score_tied"])
@pytest.mark.parametrize("changes", CONFIGS)
@pytest.mark.parametrize("weighted", [True, False])
def test_ddt_map_equals_the_documented_definition(sample, tmp_path, score_key, changes, weighted):
    bkg = sample["label"] == 0
    score, mass, pt = sample[score_key][bkg], sample["mass"][bkg], sample["pt"][bkg]
    weight = sample["weight"][bkg] if weighted else None
    cfg = trigml.ddt_config(0.26 if changes.get("direction") else 0.1, **changes)
    expected = dr.build(score, mass, pt, weight, reference_config(cfg))
    with trigml.DDTMap.build_with_config(score, mass, pt, weight, cfg) as m:
        m.save(tmp_path / "map.json")
        values, read_cfg, doc = dr.read_map(tmp_path / "map.json")
        assert read_cfg == reference_config(cfg)
        filled = expected["filled"]
        assert filled.sum() > 0
        assert np.array_equal(np.array(doc["filled"]), filled)
        assert np.array_equal(np.array(doc["entries"]), expected["entries"])
        if cfg.smoothing == trigml.TML_DDT_SMOOTHING_NONE:
            # per-bin quantiles: exactly the definition, bit for bit
            assert np.array_equal(values[filled], expected["quantiles"][filled])
        assert np.array_equal(values, expected["values"])
        # apply, through the file round trip too
        out = m.apply(sample["score"], sample["mass"], sample["pt"])
        with trigml.DDTMap.load(tmp_path / "map.json") as loaded:
            assert np.array_equal(loaded.apply(sample["score"], sample["mass"], sample["pt"]), out)
            loaded.save(tmp_path / "again.json")
        assert (tmp_path / "again.json").read_text() == (tmp_path / "map.json").read_text()
    ref_out = dr.apply(values, read_cfg, sample["score"], sample["mass"], sample["pt"])
    assert np.max(np.abs(out.astype(np.float64) - ref_out)) <= 1e-6


@pytest.mark.parametrize("weighted", [True, False])
def test_ddt_logit_map_equals_the_documented_definition(sample, tmp_path, weighted):
    """score_transform logit: built from and applied to probabilities (the
    sample's score squeezed into [0, 1], both ends included), the map equals
    the reference's, bit for bit, and an identity map on the float logits."""
    bkg = sample["label"] == 0
    prob = (1 / (1 + np.exp(-6 * (sample["score"].astype(np.float64) - 0.5)))).astype(np.float32)
    prob[:2] = [0.0, 1.0]
    score, mass, pt = prob[bkg], sample["mass"][bkg], sample["pt"][bkg]
    weight = sample["weight"][bkg] if weighted else None
    cfg = trigml.ddt_config(0.1, score_transform="logit")
    expected = dr.build(score, mass, pt, weight, reference_config(cfg))
    with trigml.DDTMap.build_with_config(score, mass, pt, weight, cfg) as m:
        m.save(tmp_path / "map.json")
        out = m.apply(prob, sample["mass"], sample["pt"])
    values, read_cfg, doc = dr.read_map(tmp_path / "map.json")
    assert doc["score_transform"] == "logit" and read_cfg == reference_config(cfg)
    assert np.array_equal(values, expected["values"])
    z = dr.transform(prob, {"score_transform": "logit"})
    with trigml.DDTMap.build(z[bkg], mass, pt, weight, 0.1) as on_z:
        assert np.array_equal(on_z.apply(z, sample["mass"], sample["pt"]), out)
    ref_out = dr.apply(values, read_cfg, prob, sample["mass"], sample["pt"])
    assert np.max(np.abs(out.astype(np.float64) - ref_out)) <= 1e-6


def test_ddt_gives_the_design_efficiency_in_each_bin(sample):
    """With one bin, X is the weighted quantile: the passing weight fraction
    is q up to one jet's weight."""
    bkg = sample["label"] == 0
    s, m, p, w = (sample[k][bkg] for k in ("score", "mass", "pt", "weight"))
    for direction in (trigml.TML_DDT_HIGHER_PASSES, trigml.TML_DDT_LOWER_PASSES):
        cfg = trigml.ddt_config(0.2, rho_bins=1, pt_bins=1, rho_min=-30.0, rho_max=1.0, pt_min=0.0, pt_max=5000.0,
                             direction=direction)
        with trigml.DDTMap.build_with_config(s, m, p, w, cfg) as mp:
            out = mp.apply(s, m, p)
        eff = w[out > 0].sum() / w.sum()
        assert abs(eff - 0.2) <= 2 * w.max() / w.sum()


def test_ddt_apply_edge_values(sample):
    bkg = sample["label"] == 0
    cfg = trigml.ddt_config(0.1)
    with trigml.DDTMap.build_with_config(sample["score"][bkg], sample["mass"][bkg], sample["pt"][bkg], None, cfg) as m:
        out = m.apply([0.5, 0.5, 0.5, np.nan, 0.5, 0.5, 0.5, 0.5], [80, 0.0, np.nan, 80, -1.0, 80, 80, 1e6],
                      [500, 500, 500, 500, 500, 0.0, -3.0, 1e-3])
    assert np.isfinite(out[[0, 1, 7]]).all()   # mass 0 takes the lowest rho; far outside clamps
    assert np.isnan(out[[2, 3, 4, 5, 6]]).all()


# -------------------------------------------------------------------- metric

@pytest.mark.parametrize("weighted", [True, False])
def test_r50_jsd_matches_numpy(sample, weighted):
    w = sample["weight"] if weighted else None
    for key in ("score", "score_tied"):
        got = trigml.r50_jsd(sample[key], sample["label"], sample["mass"], w)
        expected = tm.r50_inverse_jsd(sample[key], sample["label"], sample["mass"], w)
        assert got[0] == pytest.approx(expected[0], rel=1e-9, abs=0)
        assert got[1] == pytest.approx(expected[1], rel=1e-9, abs=0)
        assert 1 < got[0] < 1e4 and 0 < got[1] < np.inf


def test_r50_jsd_after_ddt_is_higher(sample):
    """Sanity: decorrelating with a DDT map raises 1/JSD of this sample."""
    bkg = sample["label"] == 0
    cfg = trigml.ddt_config(0.1, rho_bins=10, rho_min=-6.0, rho_max=-1.0, pt_bins=3, pt_min=300.0)
    with trigml.DDTMap.build_with_config(sample["score"][bkg], sample["mass"][bkg], sample["pt"][bkg], None, cfg) as m:
        ddt = m.apply(sample["score"], sample["mass"], sample["pt"])
    raw = trigml.r50_jsd(sample["score"], sample["label"], sample["mass"])
    dec = trigml.r50_jsd(ddt, sample["label"], sample["mass"])
    assert dec[1] > raw[1]
