"""T5Model: the default model against the golden scores, and every bad argument."""
import json

import numpy as np
import pytest

import trigml
from bad_arguments import raises_naming
from conftest import GOLDEN
from t5_event_file import read_events
from t5_golden import read_golden

SCORE_TOLERANCE = 1e-6  # the C parity test's default (Tests/c/t5_golden.c)


@pytest.fixture(scope="module")
def events():
    return read_events(GOLDEN / "t5_events.bin")


@pytest.fixture(scope="module")
def model():
    with trigml.T5Model.default() as default:
        yield default


def test_default_model_scores_the_golden_events(model, events):
    input_count, golden = read_golden(GOLDEN / "t5_golden_lst_v2.bin")
    assert model.input_count == input_count == 23
    for batch, (features, score, passed) in zip(events, golden):
        got_score, got_passed = model.score(batch)
        assert got_score.dtype == np.float32 and got_passed.dtype == np.bool_
        np.testing.assert_allclose(got_score, score, rtol=0, atol=SCORE_TOLERANCE)
        assert np.array_equal(got_passed, passed.astype(bool))
        got_features = model.features(batch)
        assert got_features.shape == features.shape
        np.testing.assert_allclose(got_features, features, rtol=SCORE_TOLERANCE, atol=SCORE_TOLERANCE)


def test_loaded_model(events):
    with trigml.T5Model.load(GOLDEN / "t5_model_lst_v1.json") as model:
        assert model.input_count == 38
        score, passed = model.score(events[0])
        assert score.shape == passed.shape == (len(events[0]["t5_t3"]),)


def test_layout_and_dtype_do_not_change_results(model, events):
    batch = events[0]
    want = model.score(batch)
    converted = dict(batch)
    for key in ("md_x", "md_y", "md_z", "md_r", "md_eta", "md_phi", "t3_radius"):
        converted[key] = batch[key].astype(np.float32)[::-1].copy()[::-1]  # a reversed view: negative stride
    converted["t3_md"] = np.asfortranarray(batch["t3_md"].astype(np.int64))
    converted["t5_t3"] = batch["t5_t3"].astype(np.int32)
    for key in ("n_md", "n_t3", "n_t5"):
        converted.pop(key)
    got = model.score(converted)
    assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


def test_empty_batch(model):
    empty = {key: np.zeros(0, np.float32) for key in ("md_x", "md_y", "md_z", "md_r", "md_eta", "md_phi",
                                                      "t3_radius")}
    empty.update(t3_md=np.zeros((0, 3), np.uint32), t5_t3=np.zeros((0, 2), np.uint32))
    score, passed = model.score(empty)
    assert score.shape == passed.shape == (0,)


def _changed(batch, **changes):
    out = dict(batch)
    for key, value in changes.items():
        if value is None:
            out.pop(key)
        else:
            out[key] = value
    return out


def test_bad_lengths(model, events):
    batch = events[0]
    raises_naming(ValueError, "md_y", model.score, _changed(batch, md_y=batch["md_y"][:-1]))
    raises_naming(ValueError, "md_layer", model.score, _changed(batch, md_layer=batch["md_layer"][:3]))
    raises_naming(ValueError, "t3_radius", model.score, _changed(batch, t3_radius=batch["t3_radius"][:-1]))
    raises_naming(ValueError, "n_t5", model.features, _changed(batch, n_t5=batch["n_t5"] + 1))
    raises_naming(ValueError, "n_md", model.score, _changed(batch, n_md=10**9))


def test_bad_dimensions(model, events):
    batch = events[0]
    raises_naming(ValueError, "t3_md", model.score, _changed(batch, t3_md=batch["t3_md"].ravel()))
    raises_naming(ValueError, "t3_md", model.score, _changed(batch, t3_md=batch["t3_md"][:, :2]))
    raises_naming(ValueError, "t5_t3", model.score, _changed(batch, t5_t3=batch["t5_t3"].T))
    raises_naming(ValueError, "md_x", model.score, _changed(batch, md_x=batch["md_x"][:, None]))


def test_bad_dtypes(model, events):
    batch = events[0]
    raises_naming(TypeError, "t3_md", model.score, _changed(batch, t3_md=batch["t3_md"].astype(np.float32)))
    raises_naming(ValueError, "t5_t3", model.score, _changed(batch, t5_t3=batch["t5_t3"].astype(np.int64) - 1))
    raises_naming(TypeError, "md_eta", model.score, _changed(batch, md_eta=batch["md_eta"].astype(str)))
    raises_naming(TypeError, "md_phi", model.score, _changed(batch, md_phi=batch["md_phi"] * 1j))
    raises_naming(ValueError, "md_layer", model.score, _changed(batch, md_layer=batch["md_layer"].astype(int) + 300))


def test_missing_and_unknown_entries(model, events):
    batch = events[0]
    raises_naming(ValueError, "md_z", model.score, _changed(batch, md_z=None))
    raises_naming(TypeError, "batch", model.score, [1, 2, 3])
    raises_naming(TypeError, "path", trigml.T5Model.load, 42)
    with pytest.raises(TypeError):
        model.score(batch, threads=2)


def test_index_out_of_range_is_the_library_error(model, events):
    batch = events[0]
    t5_t3 = batch["t5_t3"].copy()
    t5_t3[0, 0] = len(batch["t3_md"])
    with pytest.raises(trigml.TrigMLError) as info:
        model.score(_changed(batch, t5_t3=t5_t3))
    assert info.value.status == trigml.TML_ERR_INVALID_ARGUMENT and "t5_t3" in info.value.message


# ----------------------------------------------------------------- version 2

V2_EXTRAS = [{"from": "t3", "t3": "inner", "column": 0}, {"from": "t3", "t3": "outer", "column": 2},
             {"from": "md", "anchor": 3, "column": 1}, {"from": "t5", "column": 0}]


def _v2_model(tmp_path, name="v2.json", embedding=False):
    """A small version-2 lst-v2 model with the four extra inputs above and
    standardisation: 3-class softmax with two named working points, or a
    4-dimensional embedding. Returns (path, document)."""
    rng = np.random.default_rng(7)
    inputs = 23 + len(V2_EXTRAS)
    outputs = 4 if embedding else 3

    def layer(n_in, n_out, activation):
        return {"inputs": n_in, "outputs": n_out, "activation": activation,
                "weights": rng.normal(0, 0.5, (n_in, n_out)).astype(np.float32).tolist(),
                "bias": rng.normal(0, 0.1, n_out).astype(np.float32).tolist()}

    doc = {"format": "trigml.t5-model", "format_version": 2, "feature_set": "lst-v2", "extra_inputs": V2_EXTRAS,
           "standardize": {"mean": rng.normal(0, 0.3, inputs).astype(np.float32).tolist(),
                           "std": rng.uniform(0.5, 2, inputs).astype(np.float32).tolist()},
           "layers": [layer(inputs, 16, "relu"), layer(16, outputs, "linear" if embedding else "softmax")]}
    if embedding:
        doc["layers"][-1]["output"] = "embedding"
    else:
        doc.update(classes=["fake", "prompt", "displaced"], score={"kind": "one_minus", "class": "fake"},
                   working_points=[{"name": "retention98", "kind": "single", "cut": 0.5},
                                   {"name": "retention93", "kind": "single", "cut": 0.7}])
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path, doc


def _columns(batch):
    n_md, n_t3, n_t5 = len(batch["md_x"]), len(batch["t3_md"]), len(batch["t5_t3"])
    return {"md": np.arange(n_md * 2, dtype=np.float32).reshape(n_md, 2) * 0.01,
            "t3": (np.arange(n_t3 * 3, dtype=np.float32).reshape(n_t3, 3) % 7) / 7,
            "t5": np.linspace(0, 1.5, n_t5, dtype=np.float32)[:, None]}


def _gathered(batch, columns):
    """The extra inputs through the index chain, in numpy."""
    inner, outer = batch["t5_t3"][:, 0].astype(np.int64), batch["t5_t3"][:, 1].astype(np.int64)
    md3 = batch["t3_md"][inner, 2].astype(np.int64)
    return np.stack([columns["t3"][inner, 0], columns["t3"][outer, 2], columns["md"][md3, 1],
                     columns["t5"][:, 0]], axis=1)


def _network(doc, x):
    """Standardisation (float32 (x - mean) / std) and the network in float64."""
    std = doc["standardize"]
    h = ((x - np.float32(std["mean"])) / np.float32(std["std"])).astype(np.float64)
    for index, layer in enumerate(doc["layers"]):
        h = h @ np.array(layer["weights"], np.float32).astype(np.float64) + np.array(layer["bias"], np.float32)
        if index < len(doc["layers"]) - 1:
            h = np.maximum(h, 0)
    return h


def test_v2_model_properties_and_gathering(events, tmp_path):
    path, _ = _v2_model(tmp_path)
    batch = events[0]
    columns = _columns(batch)
    with trigml.T5Model.load(path) as model, trigml.T5Model.default() as plain:
        assert (model.input_count, model.class_count, model.embedding_dim) == (27, 3, 0)
        assert model.working_point_names == ("retention98", "retention93")
        assert plain.working_point_names == ("default",) and plain.class_count == 1
        features = model.features(batch, columns)
        assert features.shape == (len(batch["t5_t3"]), 27)
        np.testing.assert_array_equal(features[:, :23], plain.features(batch))
        np.testing.assert_array_equal(features[:, 23:], _gathered(batch, columns))


def test_v2_softmax_scores_against_numpy(events, tmp_path):
    path, doc = _v2_model(tmp_path)
    with trigml.T5Model.load(path) as model:
        for batch in events[:3]:
            columns = _columns(batch)
            logits = _network(doc, model.features(batch, columns)).astype(np.float32)
            shifted = logits - logits.max(axis=1, keepdims=True)
            exp = np.exp(shifted.astype(np.float64)).astype(np.float32)
            want = exp / exp.sum(axis=1, keepdims=True, dtype=np.float32)
            prob = model.probabilities(batch, columns)
            finite = np.isfinite(want).all(axis=1)
            np.testing.assert_allclose(prob[finite], want[finite], rtol=0, atol=1e-6)
            assert np.isnan(prob[~finite]).all()
            score, passed = model.score(batch, columns)
            np.testing.assert_array_equal(score, np.float32(1) - prob[:, 0])
            assert np.array_equal(passed, score > np.float32(0.5))
            by_name = model.score(batch, columns, working_point="retention93")
            by_index = model.score(batch, columns, 1)
            assert np.array_equal(by_name[1], by_index[1]) and np.array_equal(by_name[1], score > np.float32(0.7))


def test_v2_embedding(events, tmp_path):
    path, doc = _v2_model(tmp_path, "embed.json", embedding=True)
    batch = events[0]
    columns = _columns(batch)
    with trigml.T5Model.load(path) as model:
        assert (model.class_count, model.embedding_dim, model.working_point_names) == (0, 4, ())
        got = model.embed(batch, columns)
        want = _network(doc, model.features(batch, columns))
        finite = np.isfinite(want).all(axis=1)
        np.testing.assert_allclose(got[finite], want[finite], rtol=1e-5, atol=1e-5)
        with pytest.raises(trigml.TrigMLError) as info:
            model.score(batch, columns)
        assert info.value.status == trigml.TML_ERR_UNSUPPORTED and "tml_t5_embed" in info.value.message


def test_v2_bad_columns_and_working_points(events, tmp_path):
    path, _ = _v2_model(tmp_path)
    batch = events[0]
    columns = _columns(batch)
    with trigml.T5Model.load(path) as model:
        raises_naming(TypeError, "columns", model.score, batch, [1, 2])
        raises_naming(ValueError, "'t4'", model.score, batch, dict(columns, t4=columns["t5"]))
        raises_naming(ValueError, "columns['md']", model.score, batch, dict(columns, md=columns["md"][:-1]))
        raises_naming(ValueError, "columns['t3']", model.features, batch, dict(columns, t3=columns["t3"].ravel()))
        raises_naming(TypeError, "columns['t5']", model.embed, batch, dict(columns, t5=columns["t5"].astype(str)))
        raises_naming(ValueError, "working_point", model.score, batch, columns, 2)
        raises_naming(ValueError, "retention99", model.score, batch, columns, "retention99")
        raises_naming(TypeError, "working_point", model.score, batch, columns, 1.5)
        for call in (model.score, model.features, model.probabilities):
            with pytest.raises(trigml.TrigMLError) as info:
                call(batch)
            assert info.value.status == trigml.TML_ERR_INVALID_ARGUMENT and "cols" in info.value.message
        with pytest.raises(trigml.TrigMLError) as info:
            model.score(batch, dict(columns, t3=columns["t3"][:, :2]))
        assert info.value.status == trigml.TML_ERR_SHAPE and "t3_count = 2" in info.value.message


def test_v2_file_errors_name_the_key(tmp_path):
    path, doc = _v2_model(tmp_path)
    doc["standardize"]["std"][4] = 0
    path.write_text(json.dumps(doc))
    with pytest.raises(trigml.TrigMLError) as info:
        trigml.T5Model.load(path)
    assert info.value.status == trigml.TML_ERR_FORMAT and "standardize.std[4]" in info.value.message
