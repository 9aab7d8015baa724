"""trigml.onnx_import: ONNX MLPs (as torch.onnx.export and tf2onnx write them)
converted to tagger and T5 version-2 model files, run through the library
and compared with onnxruntime on the same inputs (<= 1e-6)."""
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import trigml  # noqa: E402
from conftest import GOLDEN  # noqa: E402

TOLERANCE = 1e-6
RNG_SEED = 20261207


def _tensor(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


class GraphBuilder:
    """A chain of ONNX nodes from input "x" to the last node's output."""

    def __init__(self, n_in, seed=RNG_SEED):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.current, self.width, self.n_in = [], [], "x", n_in, n_in

    def _next(self, op, inputs, **attrs):
        out = f"t{len(self.nodes)}"
        self.nodes.append(helper.make_node(op, [self.current] + inputs, [out], name=f"{op.lower()}{len(self.nodes)}",
                                           **attrs))
        self.current = out
        return self

    def const(self, array):
        name = f"c{len(self.inits)}"
        self.inits.append(_tensor(name, array))
        return name

    def standardize(self, sub=True, div=True):
        mean = self.rng.normal(0.0, 2.0, self.width)
        std = self.rng.uniform(0.5, 3.0, self.width)
        if sub:
            self._next("Sub", [self.const(mean)])
        if div:
            self._next("Div", [self.const(std)])
        return self

    def gemm(self, n_out):
        """torch.onnx.export's Linear: Gemm with transB = 1 (weight [out][in])."""
        weight = self.rng.normal(0.0, 1.0 / np.sqrt(self.width), (n_out, self.width))
        bias = self.rng.normal(0.0, 0.1, n_out)
        self.width = n_out
        return self._next("Gemm", [self.const(weight), self.const(bias)], transB=1)

    def matmul_add(self, n_out):
        """tf2onnx's Dense: MatMul (kernel [in][out]) then Add."""
        weight = self.rng.normal(0.0, 1.0 / np.sqrt(self.width), (self.width, n_out))
        self.width = n_out
        self._next("MatMul", [self.const(weight)])
        return self._next("Add", [self.const(self.rng.normal(0.0, 0.1, n_out))])

    def op(self, name, **attrs):
        return self._next(name, [], **attrs)

    def model(self):
        graph = helper.make_graph(self.nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, self.n_in])],
                                  [helper.make_tensor_value_info(self.current, TensorProto.FLOAT, [None, self.width])],
                                  self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        onnx.checker.check_model(m)
        return m


def run_onnx(model, x):
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": np.asarray(x, dtype=np.float32)})[0]


def jet_inputs(n_in, n_rows=500):
    return np.random.default_rng(RNG_SEED + 1).normal(0.0, 2.0, (n_rows, n_in)).astype(np.float32)


def tagger_through_library(model, tmp_path, n_in, **kw):
    path = tmp_path / "tagger.json"
    trigml.onnx_to_tagger_model(model, path, jet_features=[f"f{k}" for k in range(n_in)], **kw)
    x = jet_inputs(n_in)
    with trigml.Tagger.load(path) as tagger:
        return tagger.score(x), run_onnx(model, x)


def test_tagger_torch_style_sigmoid_with_standardisation(tmp_path):
    model = GraphBuilder(7).standardize().gemm(16).op("Relu").gemm(16).op("Relu").gemm(1).op("Sigmoid").model()
    got, want = tagger_through_library(model, tmp_path, 7)
    assert got.shape == want.shape == (500, 1)
    np.testing.assert_allclose(got, want, rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("hidden", [("LeakyRelu", {"alpha": 0.2}), ("Elu", {"alpha": 0.7}), ("Tanh", {}), ("Relu", {})])
def test_tagger_tf_style_softmax(tmp_path, hidden):
    op, attrs = hidden
    model = (GraphBuilder(5).standardize(sub=True, div=False).matmul_add(12).op(op, **attrs)
             .matmul_add(12).op(op, **attrs).matmul_add(3).op("Softmax", axis=-1).model())
    got, want = tagger_through_library(model, tmp_path, 5, classes=["a", "b", "c"])
    assert got.shape == want.shape == (500, 3)
    np.testing.assert_allclose(got, want, rtol=0, atol=TOLERANCE)


def test_tagger_default_alphas_and_divide_only(tmp_path):
    model = (GraphBuilder(4).standardize(sub=False, div=True).gemm(8).op("LeakyRelu").gemm(8).op("Elu")
             .gemm(1).op("Sigmoid").model())
    document = trigml.onnx_to_tagger_model(model, jet_features=list("abcd"))
    assert [l.get("alpha") for l in document["layers"]] == [pytest.approx(0.01), 1.0, None]
    got, want = tagger_through_library(model, tmp_path, 4)
    np.testing.assert_allclose(got, want, rtol=0, atol=TOLERANCE)


def test_unsupported_operator_is_named():
    builder = GraphBuilder(4).gemm(8)
    builder._next("Mul", [builder.const(np.full(8, 2.0))])
    model = builder.gemm(1).op("Sigmoid").model()
    with pytest.raises(ValueError, match=r"unsupported ONNX operator Mul in node 1 \('mul1'\)"):
        trigml.onnx_to_tagger_model(model, jet_features=list("abcd"))
    with pytest.raises(ValueError, match="BatchNormalization"):
        b = GraphBuilder(4).gemm(8)
        b.nodes.append(helper.make_node("BatchNormalization", [b.current, b.const(np.ones(8)), b.const(np.zeros(8)),
                                                               b.const(np.zeros(8)), b.const(np.ones(8))], ["bn"], name="bn"))
        b.current = "bn"
        trigml.onnx_to_t5_model(b.gemm(1).op("Sigmoid").model(), feature_set="lst-v2")


def test_structure_errors_name_the_problem():
    with pytest.raises(ValueError, match="before the first layer"):
        trigml.onnx_to_tagger_model(GraphBuilder(3).gemm(4).standardize().gemm(1).op("Sigmoid").model(),
                                    jet_features=list("abc"))
    with pytest.raises(ValueError, match="nothing may follow"):
        trigml.onnx_to_tagger_model(GraphBuilder(3).gemm(2).op("Softmax").gemm(1).model(), jet_features=list("abc"))
    with pytest.raises(ValueError, match="jet_features: 2 names"):
        trigml.onnx_to_tagger_model(GraphBuilder(3).gemm(1).op("Sigmoid").model(), jet_features=list("ab"))
    with pytest.raises(ValueError, match="ends in Sigmoid or Softmax"):
        trigml.onnx_to_tagger_model(GraphBuilder(3).gemm(1).model(), jet_features=list("abc"))
    with pytest.raises(ValueError, match="activation must follow a dense layer"):
        trigml.onnx_to_t5_model(GraphBuilder(23).gemm(4).op("Tanh").op("Relu").gemm(1).op("Sigmoid").model(),
                                feature_set="lst-v2")
    with pytest.raises(ValueError, match="24 inputs"):
        trigml.onnx_to_t5_model(GraphBuilder(24).gemm(1).op("Sigmoid").model(), feature_set="lst-v2")
    with pytest.raises(ValueError, match="classes"):
        trigml.onnx_to_t5_model(GraphBuilder(23).gemm(3).op("Softmax").model(), feature_set="lst-v2",
                                classes=["fake", "prompt"], score={"kind": "one_minus", "class": "fake"})
    with pytest.raises(ValueError, match="score"):
        trigml.onnx_to_t5_model(GraphBuilder(23).gemm(2).op("Softmax").model(), feature_set="lst-v2",
                                classes=["fake", "prompt"], score={"kind": "one_minus", "class": "displaced"})
    with pytest.raises(ValueError, match="embedding"):
        trigml.onnx_to_t5_model(GraphBuilder(23).gemm(6).model(), feature_set="lst-v2", classes=["a"] * 6)
    with pytest.raises(ValueError, match="feeds 2 nodes"):
        b = GraphBuilder(3).gemm(2)
        b.nodes.append(helper.make_node("Relu", [b.current], ["side"], name="side"))
        trigml.onnx_to_tagger_model(b.op("Sigmoid").model(), jet_features=list("abc"))


# ---------------------------------------------------------------- T5 version 2 (needs the v2 ABI in the library)

EXTRA = ([{"from": "t3", "t3": side, "column": c} for side in ("inner", "outer") for c in range(3)]
         + [{"from": "md", "anchor": 3, "column": 1}, {"from": "t5", "column": 0}])


@pytest.fixture(scope="module")
def events_v2():
    from t5_event_file import read_events
    return read_events(GOLDEN / "t5_events_v2.bin")  # committed (tools/t5/make_t5_v2_models.py)


def _columns(batch):
    return {"md": batch["md_columns"], "t3": batch["t3_columns"], "t5": batch["t5_columns"]}


def _t5_inputs(model_path, batch):
    with trigml.T5Model.load(model_path) as m:
        return m.features(batch, columns=_columns(batch))


@pytest.mark.parametrize("hidden", ["Relu", "LeakyRelu", "Tanh"])
def test_t5_softmax_with_standardisation(tmp_path, events_v2, hidden):
    n_in = 23 + len(EXTRA)
    model = (GraphBuilder(n_in).standardize().gemm(32).op(hidden).gemm(32).op(hidden).gemm(3).op("Softmax", axis=1)
             .model())
    path = tmp_path / "t5.json"
    wps = [{"name": "loose", "kind": "single", "cut": 0.25}, {"name": "tight", "kind": "single", "cut": 0.75}]
    trigml.onnx_to_t5_model(model, path, feature_set="lst-v2", extra_inputs=EXTRA, classes=["fake", "prompt", "displaced"],
                            score={"kind": "one_minus", "class": "fake"}, working_points=wps)
    batch = events_v2[0]
    with trigml.T5Model.load(path) as m:
        assert (m.class_count, list(m.working_point_names)) == (3, ["loose", "tight"])
        x = m.features(batch, columns=_columns(batch))
        want = run_onnx(model, x)
        got = m.probabilities(batch, columns=_columns(batch))
        np.testing.assert_allclose(got, want, rtol=0, atol=TOLERANCE)
        score, passed = m.score(batch, columns=_columns(batch), working_point=1)
        np.testing.assert_allclose(score, 1.0 - want[:, 0], rtol=0, atol=TOLERANCE)
        sure = np.abs(score - 0.75) > TOLERANCE
        assert np.array_equal(passed[sure], (score > 0.75)[sure].astype(passed.dtype))


def test_t5_sigmoid_and_embedding(tmp_path, events_v2):
    batch = events_v2[-1]
    sig = GraphBuilder(23).gemm(16).op("Relu").gemm(1).op("Sigmoid").model()
    trigml.onnx_to_t5_model(sig, tmp_path / "sig.json", feature_set="lst-v2",
                            working_points=[{"name": "wp", "kind": "single", "cut": 0.5}])
    with trigml.T5Model.load(tmp_path / "sig.json") as m:
        score, _ = m.score(batch)
        np.testing.assert_allclose(score, run_onnx(sig, m.features(batch))[:, 0], rtol=0, atol=TOLERANCE)
    emb = GraphBuilder(23 + len(EXTRA)).standardize().matmul_add(32).op("Relu").matmul_add(6).model()
    trigml.onnx_to_t5_model(emb, tmp_path / "emb.json", feature_set="lst-v2", extra_inputs=EXTRA)
    with trigml.T5Model.load(tmp_path / "emb.json") as m:
        assert m.embedding_dim == 6
        x = m.features(batch, columns=_columns(batch))
        finite = np.all(np.isfinite(x), axis=1)
        got = m.embed(batch, columns=_columns(batch))
        # coordinates are not bounded by 1 like probabilities: TOLERANCE relative to max(1, |x|)
        np.testing.assert_allclose(got[finite], run_onnx(emb, x[finite]), rtol=TOLERANCE, atol=TOLERANCE)
        assert np.all(np.isnan(got[~finite]))


def test_t5_document_without_the_library():
    """The converted document itself, checked with no library call."""
    model = GraphBuilder(23 + len(EXTRA)).standardize().gemm(8).op("Relu").gemm(3).op("Softmax").model()
    doc = trigml.onnx_to_t5_model(model, feature_set="lst-v2", extra_inputs=EXTRA, classes=["fake", "prompt", "displaced"],
                                  score={"kind": "probability", "class": "displaced"})
    assert doc["format_version"] == 2 and doc["extra_inputs"] == EXTRA
    assert [l["activation"] for l in doc["layers"]] == ["relu", "softmax"]
    assert len(doc["standardize"]["mean"]) == len(doc["standardize"]["std"]) == 31
    onnx_weight = numpy_helper.to_array(model.graph.initializer[2])  # Gemm weight [out][in] (transB = 1)
    np.testing.assert_array_equal(np.array(doc["layers"][0]["weights"], np.float32), onnx_weight.T)
