"""The training side's pieces that the study relies on: the DisCo penalty
and its gradient, the MLP export (library == numpy on the exported file),
and the generator's documented structure."""
import pathlib
import sys

import numpy as np
import pytest

TOOLS = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TOOLS))

import jets_parametric as jp  # noqa: E402
import tagger_metrics as tm  # noqa: E402
import tagger_reference as ref  # noqa: E402
import tagger_train as tt  # noqa: E402
import tagger_ctypes as tc  # noqa: E402


def test_disco_value_matches_the_metric_helper():
    rng = np.random.default_rng(1)
    m = rng.uniform(size=200)
    y = 0.5 * m + 0.2 * rng.uniform(size=200)
    value, _ = tt.disco_gradient(m, y)
    assert value == pytest.approx(tm.distance_correlation_squared(m, y), rel=1e-10)
    assert tt.disco_gradient(m, rng.uniform(size=200))[0] < 0.05 < value


def test_disco_gradient_is_the_derivative():
    rng = np.random.default_rng(2)
    m = rng.uniform(size=60)
    y = np.tanh(m + 0.3 * rng.normal(size=60))
    _, g = tt.disco_gradient(m, y)
    for k in (0, 7, 33):
        h = 1e-6
        up, down = y.copy(), y.copy()
        up[k] += h
        down[k] -= h
        numeric = (tt.disco_gradient(m, up)[0] - tt.disco_gradient(m, down)[0]) / (2 * h)
        assert g[k] == pytest.approx(numeric, rel=1e-4, abs=1e-9)


def test_exported_mlp_scores_equal_numpy(tmp_path):
    if not tc.DEFAULT_LIB.exists():
        pytest.skip("libtrigml.so not built")
    jets = jp.sample(300, 300, seed=9)
    x = jets["jet_features"].astype(np.float64)
    mean, std = x.mean(axis=0), x.std(axis=0)
    params = tt.train((x - mean) / std, jets["label"].astype(np.float64), jets["mass"].astype(np.float64),
                      lam=10.0, seed=1, epochs=1, batch=128)
    doc = tt.export(params, mean, std, tmp_path / "m.json", "test")
    with tc.Library().load_tagger(tmp_path / "m.json") as t:
        got = t.score(jets["jet_features"])
    assert np.max(np.abs(got - ref.score(ref.parse_model(doc), jets["jet_features"]))) <= 1e-6


def test_generator_structure():
    sig = jp.generate(2000, True, seed=3)
    bkg = jp.generate(2000, False, seed=4)
    # signal: a W/Z mass peak; QCD: mostly light jets
    assert 75 < np.median(sig["mass"]) < 95
    assert np.median(bkg["mass"]) < 60
    # two-prong signal has lower tau21 than QCD
    assert np.median(sig["jet_features"][:, 0]) < np.median(bkg["jet_features"][:, 0])
    counts = np.diff(sig["offsets"].astype(np.int64))
    assert counts.min() >= 1 and counts.max() <= jp.MAX_CONSTITUENTS
    assert len(sig["constituent_features"]) == int(sig["offsets"][-1])
    assert np.all(np.isfinite(sig["jet_features"])) and np.all(np.isfinite(bkg["constituent_features"]))
