"""ONNX MLPs to TrigML model files: T5 models (format version 2) and MLP taggers.

What torch.onnx.export and tf2onnx write for a multilayer perceptron is a
chain from the one graph input to the one graph output of:

    [Sub(x, mean)] [Div(., std)]               standardisation, before any layer
    Gemm(., W, b)  or  MatMul(., W) [Add(., b)]  a dense layer
    [Relu | LeakyRelu | Elu | Tanh]            its activation (hidden layers)
    ... last dense layer, then [Sigmoid | Softmax] or nothing (linear)

with every weight an initializer or a Constant node. Any other operator, a
branch, or an operator out of place is refused with a ValueError that names
the operator and the node. What the graph does not say (the T5 feature set
and host-column extra inputs, classes, the score, working points; a
tagger's jet feature names) the caller gives.

The onnx package is needed only here and is imported when a converter runs.
Numbers are written as exact float32 decimals (the files hold float32).
"""
import json
import pathlib

import numpy as np

T5_INPUT_COUNT = {"lst-v2": 23, "lst-v1": 38}
# ONNX operator -> (file activation name, attribute holding alpha, ONNX default alpha)
HIDDEN_ACTIVATIONS = {"Relu": ("relu", None, None), "LeakyRelu": ("leaky_relu", "alpha", 0.01),
                      "Elu": ("elu", "alpha", 1.0), "Tanh": ("tanh", None, None)}
HEADS = {"Sigmoid": "sigmoid", "Softmax": "softmax"}
# Hidden layers: T5 version 2 and tagger files both run linear, relu, leaky_relu, elu and tanh
# (docs/formats/t5_model.md, docs/formats/tagger_model.md), all the activations parsed here.


def _f32(values):
    return [float(v) for v in np.asarray(values, dtype=np.float32).ravel()]


def _node_name(node, index):
    return f"node {index} ({node.name!r})" if node.name else f"node {index}"


class _Graph:
    """The ONNX graph as constants plus a chain of compute nodes."""

    def __init__(self, model):
        import onnx
        from onnx import numpy_helper

        if isinstance(model, (str, pathlib.Path)):
            model = onnx.load(str(model))
        elif isinstance(model, (bytes, bytearray)):
            model = onnx.load_from_string(bytes(model))
        elif not isinstance(model, onnx.ModelProto):
            raise TypeError(f"model must be an onnx.ModelProto, a path or bytes, got {type(model).__name__}")
        graph = model.graph
        self.constants = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in graph.initializer}
        self.nodes = []
        for index, node in enumerate(graph.node):
            if node.op_type == "Constant":
                self.constants[node.output[0]] = self._constant_value(node, index)
            else:
                self.nodes.append((index, node))
        inputs = [i.name for i in graph.input if i.name not in self.constants]
        if len(inputs) != 1 or len(graph.output) != 1:
            raise ValueError(f"an MLP graph has one input and one output; this one has inputs {inputs} "
                             f"and outputs {[o.name for o in graph.output]}")
        self.input, self.output = inputs[0], graph.output[0].name

    @staticmethod
    def _constant_value(node, index):
        from onnx import numpy_helper

        for attr in node.attribute:
            if attr.name == "value":
                return numpy_helper.to_array(attr.t).astype(np.float64)
        raise ValueError(f"Constant {_node_name(node, index)}: only a 'value' tensor is supported")

    def chain(self):
        """The compute nodes from the input to the output, each consuming the previous one's output."""
        consumers = {}
        for index, node in self.nodes:
            for name in node.input:
                if name and name not in self.constants:
                    consumers.setdefault(name, []).append((index, node))
        out, current, seen = [], self.input, 0
        while current != self.output:
            users = consumers.get(current, [])
            if len(users) != 1:
                raise ValueError(f"tensor {current!r} feeds {len(users)} nodes; an MLP is one chain "
                                 f"({', '.join(f'{n.op_type} {_node_name(n, i)}' for i, n in users) or 'none'})")
            index, node = users[0]
            if len(node.output) != 1:
                raise ValueError(f"{node.op_type} {_node_name(node, index)} has {len(node.output)} outputs")
            out.append((index, node))
            current, seen = node.output[0], seen + 1
        if seen != len(self.nodes):
            stray = [f"{n.op_type} {_node_name(n, i)}" for i, n in self.nodes if (i, n) not in out]
            raise ValueError(f"nodes off the input-to-output chain: {', '.join(stray)}")
        return out

    def operand(self, node, index, position):
        """The constant operand of a binary node (the other operand is the chain)."""
        name = node.input[position] if position < len(node.input) else ""
        if name not in self.constants:
            raise ValueError(f"{node.op_type} {_node_name(node, index)}: input {position} must be a constant "
                             f"(initializer or Constant node)")
        return self.constants[name]


def _attributes(node):
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _parse_mlp(model):
    """(mean or None, std or None, [[W [in][out], b, activation, alpha]], head) of an ONNX MLP."""
    graph = _Graph(model)
    mean = std = None
    layers, head = [], "linear"
    for index, node in graph.chain():
        op, where = node.op_type, _node_name(node, index)
        chained = [k for k, name in enumerate(node.input) if name and name not in graph.constants]
        if op in ("Sub", "Div"):
            if layers or (op == "Sub" and (mean is not None or std is not None)) or (op == "Div" and std is not None):
                raise ValueError(f"{op} {where}: standardisation (Sub then Div) must come before the first layer")
            if chained != [0]:
                raise ValueError(f"{op} {where}: the input must be the first operand (x {'-' if op == 'Sub' else '/'} c)")
            value = graph.operand(node, index, 1)
            if op == "Sub":
                mean = value
            else:
                std = value
        elif op == "Gemm":
            attrs = _attributes(node)
            if attrs.get("transA", 0):
                raise ValueError(f"Gemm {where}: transA = 1 is not an MLP layer")
            weights = graph.operand(node, index, 1)
            weights = (weights.T if attrs.get("transB", 0) else weights) * attrs.get("alpha", 1.0)
            bias = graph.operand(node, index, 2) * attrs.get("beta", 1.0) if len(node.input) > 2 and node.input[2] else 0.0
            layers.append([weights, np.broadcast_to(bias, weights.shape[1:]).astype(np.float64), "linear", None])
        elif op == "MatMul":
            if chained != [0]:
                raise ValueError(f"MatMul {where}: the input must be the first operand (x @ W)")
            weights = graph.operand(node, index, 1)
            layers.append([weights, np.zeros(weights.shape[1]), "linear", None])
        elif op == "Add":
            if not layers or layers[-1][2] != "linear" or np.any(layers[-1][1]) or head != "linear" or len(chained) != 1:
                raise ValueError(f"Add {where}: a bias Add must follow a MatMul directly")
            layers[-1][1] = np.broadcast_to(graph.operand(node, index, 1 - chained[0]),
                                            layers[-1][1].shape).astype(np.float64)
        elif op in HIDDEN_ACTIVATIONS or op in HEADS:
            if not layers or layers[-1][2] != "linear" or head != "linear":
                raise ValueError(f"{op} {where}: an activation must follow a dense layer")
            if op in HEADS:
                attrs = _attributes(node)
                if op == "Softmax" and attrs.get("axis", -1) not in (-1, 1):
                    raise ValueError(f"Softmax {where}: axis {attrs['axis']}, only the last axis is a class axis")
                head = HEADS[op]
            else:
                name, alpha_key, default = HIDDEN_ACTIVATIONS[op]
                layers[-1][2] = name
                layers[-1][3] = None if alpha_key is None else float(_attributes(node).get(alpha_key, default))
        else:
            raise ValueError(f"unsupported ONNX operator {op} in {where}: an MLP uses Gemm, MatMul, Add, Relu, "
                             f"LeakyRelu, Elu, Tanh, Sigmoid, Softmax and a leading Sub/Div")
        if head != "linear" and op not in HEADS:
            raise ValueError(f"{op} {where}: nothing may follow the {head} output")
    if not layers:
        raise ValueError("the graph has no dense layer (Gemm or MatMul)")
    if layers[-1][2] != "linear":
        raise ValueError(f"the last dense layer has a {layers[-1][2]} activation; an MLP ends in a linear layer "
                         f"(then Sigmoid, Softmax or nothing)")
    for k in range(1, len(layers)):
        if layers[k][0].shape[0] != layers[k - 1][0].shape[1]:
            raise ValueError(f"dense layer {k} takes {layers[k][0].shape[0]} inputs, layer {k - 1} gives "
                             f"{layers[k - 1][0].shape[1]}")
    n_in = layers[0][0].shape[0]
    mean = None if mean is None else np.broadcast_to(mean.reshape(-1), (n_in,)).astype(np.float64)
    std = None if std is None else np.broadcast_to(std.reshape(-1), (n_in,)).astype(np.float64)
    if std is not None and not np.all(np.isfinite(std) & (std > 0)):
        bad = int(np.nonzero(~(np.isfinite(std) & (std > 0)))[0][0])
        raise ValueError(f"Div standardisation: std[{bad}] = {std[bad]}, must be finite and > 0")
    return mean, std, layers, head


def _layer(weights, bias, activation, alpha=None):
    d = {"inputs": int(weights.shape[0]), "outputs": int(weights.shape[1]), "activation": activation,
         "weights": [_f32(row) for row in weights], "bias": _f32(bias)}
    if alpha is not None:
        d["alpha"] = alpha
    return d


def _write(document, path):
    if path is not None:
        pathlib.Path(path).write_text(json.dumps(document, indent=1) + "\n")
    return document


def onnx_to_t5_model(model, path=None, *, feature_set, extra_inputs=(), classes=None, score=None,
                     working_points=(), provenance="converted from ONNX by trigml.onnx_import"):
    """A T5 model file of format version 2 (docs/formats/t5_model.md) from an ONNX MLP.

    model: onnx.ModelProto, a path or the serialized bytes. The graph's input
    must be the feature set's inputs then `extra_inputs` (list of
    {"from": "md", "anchor": 1-5 | "t3", "t3": "inner"/"outer" | "t5", "column": k}).
    A Softmax head needs `classes` (one name per output) and `score`
    ({"kind": "one_minus" | "probability", "class": name}); a Sigmoid head has one output;
    a graph that ends in a dense layer is an embedding model (no classes, score
    or working points). working_points: list of {"name": ..., "kind": ...} as in
    the file format. Returns the document; writes it to `path` when given."""
    if feature_set not in T5_INPUT_COUNT:
        raise ValueError(f"feature_set {feature_set!r}: expected one of {sorted(T5_INPUT_COUNT)}")
    mean, std, layers, head = _parse_mlp(model)
    n_in, n_out = layers[0][0].shape[0], layers[-1][0].shape[1]
    expected = T5_INPUT_COUNT[feature_set] + len(extra_inputs)
    if n_in != expected:
        raise ValueError(f"the graph takes {n_in} inputs; feature_set {feature_set!r} with {len(extra_inputs)} "
                         f"extra_inputs gives {expected}")
    document = {"format": "trigml.t5-model", "format_version": 2, "feature_set": feature_set,
                "provenance": provenance}
    if extra_inputs:
        document["extra_inputs"] = [dict(entry) for entry in extra_inputs]
    if mean is not None or std is not None:
        document["standardize"] = {"mean": _f32(np.zeros(n_in) if mean is None else mean),
                                   "std": _f32(np.ones(n_in) if std is None else std)}
    document["layers"] = [_layer(w, b, a) for w, b, a, _ in layers[:-1]]
    document["layers"].append(_layer(layers[-1][0], layers[-1][1], head))
    if head == "linear":
        if classes or score or working_points:
            raise ValueError("an embedding model (graph ending in a dense layer) takes no classes, score or "
                             "working_points")
        document["layers"][-1]["output"] = "embedding"
        return _write(document, path)
    if head == "sigmoid":
        if n_out != 1 or classes or score:
            raise ValueError(f"a Sigmoid head has one output and no classes or score (outputs: {n_out})")
    else:
        if classes is None or len(classes) != n_out:
            raise ValueError(f"classes: the Softmax head has {n_out} outputs, "
                             f"{'none' if classes is None else len(classes)} class names given")
        if score is None or score.get("class") not in classes:
            raise ValueError(f"score: needs {{'kind': 'one_minus' | 'probability', 'class': one of {list(classes)}}}")
        document["classes"] = list(classes)
        document["score"] = dict(score)
    if working_points:
        document["working_points"] = [dict(wp) for wp in working_points]
    return _write(document, path)


def onnx_to_tagger_model(model, path=None, *, jet_features, classes=None,
                         provenance="converted from ONNX by trigml.onnx_import"):
    """An MLP tagger model file (docs/formats/tagger_model.md) from an ONNX MLP
    ending in Sigmoid (one output) or Softmax. jet_features names the inputs in
    order. Sub/Div standardisation becomes jet_scaling (offset = mean, scale = 1/std).
    Returns the document; writes it to `path` when given."""
    mean, std, layers, head = _parse_mlp(model)
    if head == "linear":
        raise ValueError("a tagger graph ends in Sigmoid or Softmax (its output is a probability)")
    n_in, n_out = layers[0][0].shape[0], layers[-1][0].shape[1]
    if len(jet_features) != n_in:
        raise ValueError(f"jet_features: {len(jet_features)} names for a graph of {n_in} inputs")
    if head == "sigmoid" and n_out != 1:
        raise ValueError(f"a Sigmoid tagger has one output, this graph {n_out}")
    if classes is not None and len(classes) != n_out:
        raise ValueError(f"classes: {len(classes)} names for {n_out} outputs")
    document = {"format": "trigml.tagger", "format_version": 1, "kind": "mlp", "provenance": provenance,
                "output": head, "jet_features": list(jet_features)}
    if mean is not None or std is not None:
        offset = np.zeros(n_in) if mean is None else mean
        scale = np.ones(n_in) if std is None else 1.0 / std
        document["jet_scaling"] = {"offset": [float(v) for v in offset], "scale": [float(v) for v in scale]}
    if classes is not None:
        document["classes"] = list(classes)
    document["layers"] = [_layer(w, b, a, alpha) for w, b, a, alpha in layers]
    return _write(document, path)
