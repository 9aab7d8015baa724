"""T5Model: the default model against the golden scores, and every bad argument."""
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
