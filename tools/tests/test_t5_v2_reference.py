"""The version-2 T5 side: event and golden file formats, the numpy reference's
float32 arithmetic and gathering, and the committed golden files against the
committed models and events (and against the library once it has the v2 calls)."""
import struct

import numpy as np
import pytest

import checkout_paths
import t5_host_columns as host
import t5_model_v2_file as v2file
import t5_v2_reference as v2ref
from t5_event_file import FLAG_CLASS_TRUTH, read_events, write_events
from t5_golden import encode_golden_v2, read_golden_v2, write_golden_v2

GOLDEN = checkout_paths.ROOT / "Tests" / "golden"
MODELS = {"3class": GOLDEN / "t5_model_v2_3class.json", "embed": GOLDEN / "t5_model_v2_embed.json"}
F32 = np.float32


@pytest.fixture(scope="module")
def events():
    return read_events(GOLDEN / "t5_events_v2.bin")


def test_event_file_round_trip_and_flags(events, tmp_path):
    path = tmp_path / "e.bin"
    write_events(path, events, with_truth=True, with_host_columns=True, with_class_truth=True)
    assert path.read_bytes() == (GOLDEN / "t5_events_v2.bin").read_bytes()
    again = read_events(path)
    for key in ("md_columns", "t3_columns", "t5_columns", "t5_class", "t5_sim_d0"):
        assert all(np.array_equal(a[key], b[key], equal_nan=True) for a, b in zip(events, again))
    assert events[0]["md_columns"].shape[1] == host.MD_COLUMN_COUNT
    data = bytearray(path.read_bytes())
    data[12:16] = struct.pack("<I", 8 | 1)  # an unknown flag bit
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="unknown flags"):
        read_events(path)
    data[12:16] = struct.pack("<I", FLAG_CLASS_TRUTH)  # class truth without truth
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="bit 2"):
        read_events(path)
    with pytest.raises(ValueError, match="with_truth"):
        write_events(path, events, with_class_truth=True)


def test_version_1_files_are_unchanged(tmp_path):
    original = GOLDEN / "t5_events.bin"
    write_events(tmp_path / "v1.bin", read_events(original), with_truth=True)
    assert (tmp_path / "v1.bin").read_bytes() == original.read_bytes()


def test_dense_layer_is_float32_bias_first_inputs_ascending():
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1e3, (5, 7)).astype(F32)
    w = rng.normal(0, 1e-3, (7, 3)).astype(F32)
    b = rng.normal(0, 1, 3).astype(F32)
    got = v2ref.dense(x, w, b)
    for r in range(5):
        for i in range(3):
            acc = F32(b[i])
            for j in range(7):
                acc = F32(acc + F32(x[r, j] * w[j, i]))
            assert got[r, i] == acc


def test_softmax_and_score():
    logits = np.array([[1.0, 2.0, 3.0], [100.0, -100.0, 0.0], [0.5, 0.5, 0.5]], F32)
    p = v2ref.softmax(logits)
    assert p.dtype == F32
    e = np.exp(logits.astype(np.float64) - logits.max(axis=1, keepdims=True))
    # three float32 roundings (exp, sum, divide): a few ulp; float32 underflows below 1e-45
    np.testing.assert_allclose(p, e / e.sum(axis=1, keepdims=True), rtol=4e-7, atol=1e-44)
    model = dict(classes=["fake", "prompt", "displaced"], score={"kind": "one_minus", "class": "fake"})
    assert np.array_equal(v2ref.score(p, model), (F32(1) - p[:, 0]).astype(F32))
    model["score"] = {"kind": "probability", "class": "displaced"}
    assert np.array_equal(v2ref.score(p, model), p[:, 2])


def test_extra_inputs_follow_the_index_chain(events):
    b = events[0]
    extra = [v2file.extra_input("md", 1, anchor=4), v2file.extra_input("t3", 2, t3="outer"), v2file.extra_input("t5", 0)]
    got = v2ref.gather_extra_inputs(b, host.columns_of(b), extra)
    t3_md, t5_t3 = b["t3_md"].astype(np.int64), b["t5_t3"].astype(np.int64)
    md4 = t3_md[t5_t3[:, 1], 1]  # the outer T3's second MD
    assert np.array_equal(got[:, 0], b["md_columns"][md4, 1], equal_nan=True)
    assert np.array_equal(got[:, 1], b["t3_columns"][t5_t3[:, 1], 2], equal_nan=True)
    assert np.array_equal(got[:, 2], b["t5_columns"][:, 0], equal_nan=True)
    with pytest.raises(ValueError, match=r"extra_inputs\[0\] reads md column 5"):
        v2ref.gather_extra_inputs(b, host.columns_of(b), [v2file.extra_input("md", 5, anchor=1)])
    with pytest.raises(ValueError, match="none given"):
        v2ref.gather_extra_inputs(b, {"md": b["md_columns"]}, [v2file.extra_input("t5", 0)])


def test_nan_host_columns_give_nan_outputs(events):
    last = events[-1]
    model = v2file.read(MODELS["3class"])
    out = v2ref.evaluate(last, host.columns_of(last), model)
    bad = ~np.all(np.isfinite(out["features"]), axis=1)
    assert bad[:3].all(), "the golden sample's NaN host columns reach T5s 0, 1 and 2"
    assert np.all(np.isnan(out["probabilities"][bad])) and np.all(np.isnan(out["score"][bad]))
    assert not out["pass"][bad].any()
    assert np.all(np.isfinite(out["probabilities"][~bad]))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_committed_golden_matches_the_reference(events, name):
    """Rebuilds the golden vectors from the committed events and model: same bytes."""
    model = v2file.read(MODELS[name])
    out = [v2ref.evaluate(b, host.columns_of(b), model) for b in events]
    counts = (out[0]["features"].shape[1], len(model["classes"] or []), model["embedding_dim"], len(model["working_points"]))
    path = GOLDEN / f"t5_golden_v2_{name}.bin"
    assert encode_golden_v2(*counts, out) == path.read_bytes()
    header, stored = read_golden_v2(path)
    assert header == counts
    assert sum(e["features"].shape[0] for e in stored) == sum(int(b["n_t5"]) for b in events)


def test_golden_v2_round_trip(tmp_path):
    event = dict(features=np.ones((2, 3), F32), score=np.zeros(2, F32), probabilities=np.full((2, 2), 0.5, F32),
                 embedding=np.zeros((2, 0), F32), **{"pass": np.array([[1, 0], [0, 1]], np.uint8)})
    write_golden_v2(tmp_path / "g.bin", 3, 2, 0, 2, [event])
    counts, (back,) = read_golden_v2(tmp_path / "g.bin")
    assert counts == (3, 2, 0, 2) and np.array_equal(back["pass"], event["pass"])
    with pytest.raises(ValueError, match="probabilities shape"):
        encode_golden_v2(3, 3, 0, 2, [event])


def test_models_describe_what_was_trained():
    m3, me = v2file.read(MODELS["3class"]), v2file.read(MODELS["embed"])
    assert m3["classes"] == ["fake", "prompt", "displaced"] and m3["score"] == {"kind": "one_minus", "class": "fake"}
    assert [wp["name"] for wp in m3["working_points"]] == ["retention98", "retention93"]
    assert m3["layers"][-1][2] == "softmax" and len(m3["mean"]) == m3["layers"][0][0].shape[0]
    assert me["embedding_dim"] == 6 and me["layers"][-1][2] == "linear" and not me["working_points"]
    shipped = checkout_paths.ROOT / "models"
    assert (shipped / "t5_v2_3class.json").read_bytes() == MODELS["3class"].read_bytes()
    assert (shipped / "t5_v2_embed.json").read_bytes() == MODELS["embed"].read_bytes()


def test_library_matches_the_golden(events):
    """Through the library's v2 calls (T5Model.features with host columns)."""
    import trigml
    for name, path in MODELS.items():
        _, stored = read_golden_v2(GOLDEN / f"t5_golden_v2_{name}.bin")
        with trigml.T5Model.load(path) as m:
            for b, want in zip(events, stored):
                cols = host.columns_of(b)
                np.testing.assert_allclose(m.features(b, columns=cols), want["features"], rtol=1e-6, atol=0)
                if name == "embed":
                    # coordinates are not bounded by 1 like probabilities: 1e-6 relative to max(1, |x|)
                    np.testing.assert_allclose(m.embed(b, columns=cols), want["embedding"], rtol=1e-6, atol=1e-6)
                else:
                    np.testing.assert_allclose(m.probabilities(b, columns=cols), want["probabilities"], rtol=0, atol=1e-6)
