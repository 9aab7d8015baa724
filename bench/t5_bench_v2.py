"""The version-2 section of the T5 benchmark (bench/t5_bench.py): a model of
format version 2 scored through tml_t5_score_ex with host columns.

The model (default Tests/golden/t5_model_v2_3class.json, the toy-trained
3-class network of docs/t5_training.md) reads lst-v2's 23 features plus 11
extra inputs gathered from host columns (the inner and outer T3's three
class probabilities, md1's hit density, the stub bends of md1, md3, md5,
the T5's clipped log10(1 + dcaXY)), standardises them, runs 34-32-32-3 with
a softmax and cuts 1 - P(fake) at its first working point (retention98).

Host columns of the benchmark pool (the synthetic events carry none):
- MD: the hit density and the T5 column are computed from the pool's own
  hits as the toy does (tools/t5/t5_host_columns.py: md_density,
  t5_columns, the circle-fit dcaXY);
- MD stub bend and the T3 probabilities have no source in the synthetic
  events: seeded random values in their ranges (bend N(0, 0.015) rad, the
  probabilities a softmax of N(0, 1.5) logits). Timing does not depend on
  the values, only on every candidate running the whole gather.

Implementations: each TrigML build of --lib (features + host-column gather
+ standardisation + network + softmax + working point) and, network only
on tml_t5_features_ex's inputs, ONNX Runtime running the same network
(Sub/Div standardisation, MatMul+Add, Relu, Softmax). Before timing, every
build is compared with the numpy reference of version-2 models
(tools/reference/t5_v2_reference.py) on the whole pool, and ORT's
probabilities with TrigML's.
"""
import ctypes
import os

import numpy as np

import t5_host_columns as host
import t5_model_v2_file as v2file
import t5_v2_reference as v2ref
from t5_event_file import read_events

ORT_V2_IMPL = "ONNX Runtime (network only, v2)"
COLUMN_SEED = 20261205
BEND_SIGMA = 0.015  # rad, the toy's stub-bend resolution (docs/t5_training.md)
T3_LOGIT_SIGMA = 1.5


def bind(h):
    """ctypes signatures of the harness's version-2 functions (t5_bench_lib.c)."""
    u64, dp = ctypes.c_uint64, ctypes.POINTER(ctypes.c_double)
    fp = np.ctypeslib.ndpointer(np.float32, flags="C_CONTIGUOUS")
    bp = np.ctypeslib.ndpointer(np.uint8, flags="C_CONTIGUOUS")
    h.tb_set_columns.argtypes = [ctypes.c_uint32, fp, ctypes.c_uint32, fp, ctypes.c_uint32, fp]
    h.tb_score_ex.argtypes = [ctypes.c_int, u64, u64, ctypes.c_int32, fp, bp, fp]
    h.tb_features_ex.argtypes = [ctypes.c_int, u64, u64, fp]
    h.tb_time_ex.argtypes = [ctypes.c_int, ctypes.c_int32, u64, u64, u64, dp, dp]


def time_ex(hb, impl, batch, calls, first_slice):
    """(wall, cpu) seconds of `calls` tml_t5_score_ex calls at working point 0 (tb_time_ex)."""
    wall, cpu = ctypes.c_double(), ctypes.c_double()
    hb.check(hb.h.tb_time_ex(impl, 0, batch, calls, first_slice, ctypes.byref(wall), ctypes.byref(cpu)))
    return wall.value, cpu.value


def with_host_columns(batches):
    """The pool's events with md/t3/t5 host columns (toy widths 2, 3, 1), seeded per event."""
    out = []
    for e, b in enumerate(batches):
        rng = np.random.default_rng([COLUMN_SEED, e])
        logits = rng.normal(0.0, T3_LOGIT_SIGMA, (b["n_t3"], host.T3_COLUMN_COUNT))
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        bend = rng.normal(0.0, BEND_SIGMA, b["n_md"])
        out.append(dict(b, md_columns=np.stack([host.md_density(b), bend], axis=1).astype(np.float32),
                        t3_columns=(p / p.sum(axis=1, keepdims=True)).astype(np.float32),
                        t5_columns=host.t5_columns(b)))
    return out


def reference(batches, model):
    """The numpy reference's (score, pass at working point 0, probabilities) over the pool."""
    parts = [v2ref.evaluate(b, host.columns_of(b), model) for b in batches]
    return (np.concatenate([p["score"] for p in parts]), np.concatenate([p["pass"][:, 0] for p in parts]),
            np.concatenate([p["probabilities"] for p in parts]))


def ort_session(model, onnx_path):
    """ONNX Runtime session of the model's network: (x - mean) / std, the dense layers, softmax."""
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    acts = {"relu": "Relu", "softmax": "Softmax", "sigmoid": "Sigmoid"}
    inits = [numpy_helper.from_array(np.asarray(model["mean"], np.float32), "mean"),
             numpy_helper.from_array(np.asarray(model["std"], np.float32), "std")]
    nodes = [helper.make_node("Sub", ["inputs", "mean"], ["centred"]),
             helper.make_node("Div", ["centred", "std"], ["h"])]
    prev = "h"
    for i, (w, b, act) in enumerate(model["layers"]):
        inits += [numpy_helper.from_array(np.asarray(w, np.float32), f"W{i}"),
                  numpy_helper.from_array(np.asarray(b, np.float32), f"b{i}")]
        nodes += [helper.make_node("MatMul", [prev, f"W{i}"], [f"mm{i}"]),
                  helper.make_node("Add", [f"mm{i}", f"b{i}"], [f"z{i}"])]
        out = "probabilities" if i == len(model["layers"]) - 1 else f"h{i}"
        attrs = {"axis": 1} if act == "softmax" else {}
        nodes.append(helper.make_node(acts[act], [f"z{i}"], [out], **attrs))
        prev = out
    n_in, n_out = len(model["mean"]), np.asarray(model["layers"][-1][0]).shape[1]
    graph = helper.make_graph(nodes, "t5_v2", [helper.make_tensor_value_info("inputs", TensorProto.FLOAT, ["N", n_in])],
                              [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", n_out])], inits)
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx_model.ir_version = min(onnx_model.ir_version, 9)
    onnx.checker.check_model(onnx_model)
    onnx.save(onnx_model, onnx_path)
    so = ort.SessionOptions()
    so.intra_op_num_threads = so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(onnx_path, so, providers=["CPUExecutionProvider"])


def run(a, hb, builds, events_path, n_t5, batches, measure, ort_runner_class, fmt_rate, fmt_ratio, v1_rates):
    """Opens the model on every build, checks agreement, times; returns (report lines, json dict).
    builds: [(implementation name, library path, isa)] as the main section opened them; v1_rates[batch][name]:
    the lst-v2 (version-1) rates of the main section, for the cost of the version-2 extras."""
    bind(hb.h)
    model_path = os.path.abspath(a.v2_model)
    model = v2file.read(model_path)
    pool = with_host_columns(read_events(events_path))
    cols = {k: np.ascontiguousarray(np.concatenate([b[f"{k}_columns"] for b in pool]), np.float32)
            for k in ("md", "t3", "t5")}
    hb.check(hb.h.tb_set_columns(cols["md"].shape[1], cols["md"].ravel(), cols["t3"].shape[1], cols["t3"].ravel(),
                                 cols["t5"].shape[1], cols["t5"].ravel()))
    impls = [(f"{name} (v2)", hb.open_trigml(path, model_path, isa)) for name, path, isa in builds]
    n_in, n_cls = len(model["mean"]), len(model["classes"])
    wp_name = model["working_points"][0]["name"]

    # ---- agreement on the whole pool before any timing
    ref_s, ref_p, ref_prob = reference(pool, model)
    finite = np.isfinite(ref_s)
    checks, ok = [], True
    for name, impl in impls:
        s, p, prob = np.empty(n_t5, np.float32), np.empty(n_t5, np.uint8), np.empty((n_t5, n_cls), np.float32)
        hb.check(hb.h.tb_score_ex(impl, 0, n_t5, 0, s, p, prob))
        d = float(np.max(np.abs(s[finite].astype(np.float64) - ref_s[finite]), initial=0))
        nan_mismatch = int(np.sum(np.isfinite(s) != finite))
        flags = int(np.sum(p != ref_p))
        checks.append((name, d, flags, nan_mismatch))
        ok &= d <= a.tol and flags == 0 and nan_mismatch == 0
    features = np.empty((n_t5, n_in), np.float32)
    hb.check(hb.h.tb_features_ex(impls[0][1], 0, n_t5, features))
    sess = ort_session(model, os.path.join(a.build_dir, "t5_v2_dnn.onnx"))
    ort_runner = ort_runner_class(sess, features, "inputs", "probabilities")
    ort_prob = ort_runner.scores().reshape(n_t5, n_cls)
    d_ort = float(np.max(np.abs(ort_prob[finite].astype(np.float64) - ref_prob[finite]), initial=0))
    checks.append((ORT_V2_IMPL, d_ort, None, int(np.sum(np.isfinite(ort_prob[:, 0]) != finite))))
    ok &= d_ort <= a.tol
    print(f"v2 model {os.path.basename(model_path)}: agreement vs the numpy reference on {n_t5} candidates "
          f"({int((~finite).sum())} with NaN scores):")
    for name, d, m, nm in checks:
        what = "probabilities" if m is None else "score"
        print(f"  {name:34s} max |{what} diff| {d:.2e}" + ("" if m is None else f", pass flags differ on {m}"))
    if not ok:
        raise SystemExit(f"v2: implementations disagree by more than {a.tol}: not timing different work")

    # ---- timing
    runners = [(name, (lambda impl: lambda b, c, f: time_ex(hb, impl, b, c, f))(impl)) for name, impl in impls]
    runners.append((ORT_V2_IMPL, ort_runner.time))
    results = {}
    for batch in batches:
        results[batch] = measure(batch, runners)
        print(f"v2 batch {batch:>6}: " + "  ".join(f"{n.split(' (')[0]}: {fmt_rate(results[batch][n]['rate'])}/s"
                                                  for n, _ in runners), flush=True)

    # ---- report
    out = ["## Version-2 model: 3-class with host columns (`tml_t5_score_ex`)\n",
           f"- **Model:** `{os.path.relpath(model_path, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))}` "
           f"(format version 2: lst-v2's 23 features + {n_in - 23} extra inputs from host columns, standardised, "
           f"{'-'.join([str(n_in)] + [str(np.asarray(w).shape[1]) for w, _, _ in model['layers']])} softmax over "
           f"{', '.join(model['classes'])}; score 1 − P(fake); working point `{wp_name}`)",
           f"- **Host columns** of the same {n_t5} candidates: MD hit density and the T5's log10(1 + dcaXY) computed "
           "from the pool's hits as the toy does; MD stub bend and T3 class probabilities seeded random "
           "(bench/t5_bench_v2.py)",
           "- **TrigML:** `tml_t5_score_ex` (features + host-column gather + standardisation + network + softmax + "
           "working point; score and pass, no probabilities). **ORT:** network only (Sub/Div standardisation, "
           "MatMul+Add, Relu, Softmax) on `tml_t5_features_ex`'s inputs",
           f"- Same timing as above ({a.reps} repetitions of ~{a.seconds} s, median, "
           f"{'process CPU time' if a.clock == 'cpu' else 'wall-clock time'})\n",
           "Agreement before timing (reference: the numpy reference of version-2 models, "
           "tools/reference/t5_v2_reference.py):\n",
           "| implementation | max abs diff | pass flags differing |", "|---|---|---|"]
    for name, d, m, _ in checks:
        out.append(f"| {name} | {d:.1e} ({'probabilities' if m is None else 'score'}) | "
                   f"{'n/a' if m is None else m} |")
    out += ["", "| implementation | " + " | ".join(f"{b:,}" for b in batches) + " |",
            "|---|" + "---|" * len(batches)]
    for name, _ in runners:
        out.append(f"| {name} | " + " | ".join(f"{fmt_rate(results[b][name]['rate'])}/s" for b in batches) + " |")
    out += ["", "Version-2 rate relative to the same build's lst-v2 (version-1) rate above, and to ORT:\n",
            "| build | " + " | ".join(f"{b:,}" for b in batches) + " |", "|---|" + "---|" * len(batches)]
    for (name, _), (v1_name, _, _) in zip(impls, builds):
        out.append(f"| {name} vs v1 | " + " | ".join(
            fmt_ratio(results[b][name]["rate"] / v1_rates[b][v1_name]["rate"]) for b in batches) + " |")
        out.append(f"| {name} vs ORT | " + " | ".join(
            fmt_ratio(results[b][name]["rate"] / results[b][ORT_V2_IMPL]["rate"]) for b in batches) + " |")
    out.append("")
    return out, {"model": model_path, "checks": checks, "results": {str(b): v for b, v in results.items()}}
