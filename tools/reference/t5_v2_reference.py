"""Independent numpy reference of format-version-2 T5 models: host-column extra
inputs, standardisation, dense layers, softmax / sigmoid heads, the score
definition, named working points and embeddings.

Written from docs/formats/t5_model.md ("Version 2") and LST's inference code
(cmssw RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h @719e09e3,
t5dnn::runInference; the multi-class and embedding networks of cms-sw #47618
and #48249 share its dense-layer loop), never from the library's sources.
The built-in features (lst-v2, lst-v1) and the working-point binning come
from tools/reference/t5_reference.py, so both references follow one
definition of them.

Arithmetic, float32 throughout, operation for operation:
- extra inputs are copied from the host columns (gathered through the
  T5 -> T3 -> MD index chain) after the feature set's inputs;
- standardisation x' = (x - mean) / std: one float32 subtraction, one division;
- dense layer: out[i] = bias[i]; then out[i] += in[j] * W[j][i] for j ascending,
  each product rounded to float32 before the add (LST builds with
  -ffp-contract=off: no fused multiply-add);
- ReLU (x > 0) ? x : 0; linear keeps x; sigmoid exp(x) / (exp(x) + 1) (LST's form);
- softmax: m = max_k x_k; e_k = exp(x_k - m); s = sum of e_k in ascending k;
  p_k = e_k / s. exp is the correctly rounded float32 exp (float64 exp
  rounded once), which a float32 expf matches to within an ulp;
- score "one_minus" = 1 - P(class), "probability" = P(class), float32;
- pass = score > cut of the working point (a NaN score never passes).
A candidate with any non-finite input (before or after standardisation)
gets NaN in every output and fails every working point, the version-1 NaN
policy.
"""
import numpy as np

import t5_reference as ref
import t5_model_v2_file

F32 = np.float32


def gather_extra_inputs(batch, columns, extra_inputs):
    """The extra inputs, float32 [n_t5, len(extra_inputs)].

    columns: mapping with "md" [n_md, k_md], "t3" [n_t3, k_t3], "t5" [n_t5, k_t5]
    (any may be missing when no extra input reads it)."""
    md = ref.anchor_indices(batch)
    t5_t3 = np.asarray(batch["t5_t3"], dtype=np.int64).reshape(-1, 2)
    out = np.empty((md.shape[0], len(extra_inputs)), dtype=F32)
    for k, entry in enumerate(extra_inputs):
        source, column = entry["from"], int(entry["column"])
        table = None if columns is None else columns.get(source)
        if table is None:
            raise ValueError(f"extra_inputs[{k}] reads {source} columns, none given")
        table = np.asarray(table, dtype=F32)
        if column >= table.shape[1]:
            raise ValueError(f"extra_inputs[{k}] reads {source} column {column}, only {table.shape[1]} given")
        if source == "md":
            rows = md[:, int(entry["anchor"]) - 1]
        elif source == "t3":
            rows = t5_t3[:, {"inner": 0, "outer": 1}[entry["t3"]]]
        else:
            rows = np.arange(md.shape[0])
        out[:, k] = table[rows, column]
    return out


def inputs(batch, columns, model):
    """What tml_t5_features_ex writes: the feature set's inputs then the extra inputs, float32."""
    built_in = ref.features(batch, model["feature_set"])
    extra = gather_extra_inputs(batch, columns, model["extra_inputs"])
    return np.concatenate([built_in, extra], axis=1)


def standardize(x, mean, std):
    if mean is None:
        return np.asarray(x, dtype=F32)
    with np.errstate(all="ignore"):
        return (np.asarray(x, dtype=F32) - np.asarray(mean, dtype=F32)) / np.asarray(std, dtype=F32)


def dense(x, weights, bias):
    """float32 out = bias, then += in[j] * W[j][i] for j ascending (no contraction)."""
    x = np.asarray(x, dtype=F32)
    w = np.asarray(weights, dtype=F32)
    out = np.broadcast_to(np.asarray(bias, dtype=F32), (x.shape[0], w.shape[1])).copy()
    with np.errstate(all="ignore"):
        for j in range(w.shape[0]):
            product = x[:, j:j + 1] * w[j]  # float32 product, rounded before the add
            out += product
    return out


def exp_f32(x):
    """Correctly rounded float32 exp of float32 values."""
    with np.errstate(over="ignore"):
        return np.exp(np.asarray(x, dtype=F32).astype(np.float64)).astype(F32)


def softmax(logits):
    logits = np.asarray(logits, dtype=F32)
    top = logits[:, 0].copy()
    for k in range(1, logits.shape[1]):
        top = np.maximum(top, logits[:, k])
    e = exp_f32(logits - top[:, None])
    total = e[:, 0].copy()
    for k in range(1, e.shape[1]):
        total += e[:, k]
    return e / total[:, None]


def sigmoid(logits):
    e = exp_f32(logits)
    with np.errstate(invalid="ignore"):
        return e / (e + F32(1.0))


def activate(x, activation):
    if activation == "relu":
        return np.where(x > 0, x, F32(0.0)).astype(F32)
    if activation == "linear":
        return x
    if activation == "sigmoid":
        return sigmoid(x)
    if activation == "softmax":
        return softmax(x)
    raise ValueError(f"activation {activation!r} not in the T5 v2 reference")


def network(x, model):
    """Outputs of the layers (probabilities for a softmax/sigmoid head, the
    embedding for an embedding model), float32; NaN rows where an input is not finite."""
    x = standardize(x, model["mean"], model["std"])
    bad = ~np.all(np.isfinite(x), axis=1)
    x = np.where(bad[:, None], F32(0.0), x)
    for w, b, activation in model["layers"]:
        x = activate(dense(x, w, b), activation)
    return np.where(bad[:, None], F32(np.nan), x).astype(F32)


def score(probabilities, model):
    """The model's score from its head's outputs, float32 [n_t5]."""
    if model["score"] is None:
        return probabilities[:, 0]  # a sigmoid head: its one output
    p = probabilities[:, model["classes"].index(model["score"]["class"])]
    return (F32(1.0) - p).astype(F32) if model["score"]["kind"] == "one_minus" else p


def pass_flags(score_values, batch, working_points):
    """uint8 [n_t5, len(working_points)]: 1 where score > that working point's cut."""
    out = np.zeros((np.shape(score_values)[0], len(working_points)), dtype=np.uint8)
    for k, wp in enumerate(working_points):
        out[:, k] = ref.pass_flags(score_values, batch, wp)
    return out


def evaluate(batch, columns, model):
    """Every golden quantity of one batch: features, score, probabilities, pass, embedding
    (model: a dict from t5_model_v2_file.read, or a path)."""
    if not isinstance(model, dict):
        model = t5_model_v2_file.read(model)
    x = inputs(batch, columns, model)
    outputs = network(x, model)
    n_t5 = x.shape[0]
    if model["embedding_dim"]:
        return dict(features=x, score=np.zeros(0, F32), probabilities=np.zeros((n_t5, 0), F32),
                    **{"pass": np.zeros((n_t5, 0), np.uint8)}, embedding=outputs)
    s = score(outputs, model)
    return dict(features=x, score=s, probabilities=outputs, **{"pass": pass_flags(s, batch, model["working_points"])},
                embedding=np.zeros((n_t5, 0), F32))
