"""Deep Sets tagger throughput, TrigML vs ONNX Runtime, side by side in one
run (issue 5, "Benchmark").

Implementations, all on the same jets and the same model file:
  - TrigML through its C ABI (dlopen, tml_tagger_load, tml_tagger_score on
    CSR slices of the pool), the call loop in C (bench/tagger_bench_lib.c),
    one column per library build given with --lib NAME=PATH;
  - ONNX Runtime (one intra-op and one inter-op thread, sequential,
    ORT_ENABLE_ALL) on a graph built here from the model JSON: input scaling,
    Phi as MatMul/Add/activation, pooling, scaled jet features concatenated,
    F, sigmoid/softmax. Two graphs:
      * padded: constituents [N, M, C] padded to the batch's longest jet, a
        [N, M, 1] mask multiplies Phi's output, ReduceSum over M;
      * ragged: constituents [T, C] as in TrigML, a segment id per
        constituent, ScatterElements(reduction="add") sums Phi's rows into
        [N, H] zeros.
    Its inputs for every slice are prepared before timing (padding, masks,
    segment ids are not timed); session.run is called from Python per batch.

Jets: parametric jets (tools/taggers/jets_parametric.py) with 10 to 50 constituents
(jets outside that range are dropped), cached under the build directory.
Before timing, every implementation's probabilities are compared with the
numpy reference (tools/reference/tagger_reference.py) on the whole pool; the run
stops if any differs by more than --tol.

Usage: normally through bench/run_tagger_bench.sh.
"""
import argparse
import ctypes
import datetime
import json
import os
import subprocess
import sys
import time

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))
import checkout_paths  # noqa: F401,E402  (tools subfolders and python/ on sys.path)
sys.path.insert(0, HERE)
import jets_file  # noqa: E402
import tagger_model_file as tmf  # noqa: E402
import tagger_reference as ref  # noqa: E402
from t5_bench import cc_version, fmt_ratio, git_commit, machine_info, measure_rates  # noqa: E402

ORT_PADDED = "ONNX Runtime, padded + mask"
ORT_RAGGED = "ONNX Runtime, ragged (ScatterElements add)"


# ------------------------------------------------------------ inputs

def make_pool(path, n_target, seed):
    """Parametric jets with 10..50 constituents, background and signal."""
    import jets_parametric as jp
    parts, have, s = [], 0, seed
    while have < n_target:
        j = jp.sample(n_target // 2, n_target // 2, seed=s)
        off = j["offsets"].astype(np.int64)
        counts = np.diff(off)
        keep = np.nonzero((counts >= 10) & (counts <= 50))[0]
        rows = np.concatenate([np.arange(off[k], off[k + 1]) for k in keep])
        sub = {k: v[keep] for k, v in j.items() if k not in ("offsets", "constituent_features")}
        sub["constituent_features"] = j["constituent_features"][rows]
        sub["offsets"] = np.concatenate([[0], np.cumsum(counts[keep])]).astype(np.uint64)
        parts.append(sub)
        have += len(keep)
        s += 1
    pool = jp.concatenate(parts)
    # Shuffle jets (background and signal mixed in every batch).
    order = np.random.default_rng(seed).permutation(len(pool["pt"]))[:n_target]
    off = pool["offsets"].astype(np.int64)
    counts = np.diff(off)[order]
    rows = np.concatenate([np.arange(off[k], off[k + 1]) for k in order])
    out = {k: v[order] for k, v in pool.items() if k not in ("offsets", "constituent_features")}
    out["constituent_features"] = pool["constituent_features"][rows]
    out["offsets"] = np.concatenate([[0], np.cumsum(counts)]).astype(np.uint64)
    jets_file.write_jets(path, out)


def make_model(path, seed, phi_sizes, f_sizes, n_con=3, n_jet=7):
    """A Deep Sets tagger with random weights of the given widths."""
    rng = np.random.default_rng(seed)

    def layer(n_in, n_out, act, alpha=None):
        return tmf.layer(rng.normal(0, 1.2 / np.sqrt(n_in), (n_in, n_out)), rng.normal(0, 0.1, n_out), act, alpha)
    phi, n_in = [], n_con
    for h in phi_sizes:
        phi.append(layer(n_in, h, "relu"))
        n_in = h
    f, n_in = [], phi_sizes[-1] + n_jet
    for h in f_sizes:
        f.append(layer(n_in, h, "relu"))
        n_in = h
    f.append(layer(n_in, 1, "linear"))
    doc = tmf.deep_sets_document(
        phi, f, tmf.inputs(["log_pt_fraction", "delta_eta", "delta_phi"], [-3.5, 0.0, 0.0], [0.5, 4.0, 4.0]),
        tmf.inputs(["tau21", "c2", "d2", "tau1", "tau2", "log_pt", "multiplicity"],
                   [0.5, 0.2, 3.0, 0.15, 0.06, 6.0, 0.7], [3.0, 10.0, 0.4, 8.0, 20.0, 2.0, 4.0], {"multiplicity": 50}),
        "sigmoid", provenance=f"random weights for bench/tagger_bench.py (seed {seed})")
    tmf.write(path, doc)


def describe(doc):
    phi = [doc["phi"][0]["inputs"]] + [l["outputs"] for l in doc["phi"]]
    f = [doc["f"][0]["inputs"]] + [l["outputs"] for l in doc["f"]]
    macs = sum(l["inputs"] * l["outputs"] for l in doc["phi"]), sum(l["inputs"] * l["outputs"] for l in doc["f"])
    return "Phi " + "-".join(map(str, phi)) + ", F " + "-".join(map(str, f)), macs


# ------------------------------------------------------------ ONNX graphs

def build_onnx(doc, onnx_path, ragged):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []

    def const(name, a):
        inits.append(numpy_helper.from_array(np.asarray(a), name))
        return name

    def act(x, layer, name):
        a = layer["activation"]
        if a == "linear":
            return x
        if a == "relu":
            nodes.append(helper.make_node("Relu", [x], [name]))
        elif a == "tanh":
            nodes.append(helper.make_node("Tanh", [x], [name]))
        elif a == "leaky_relu":
            nodes.append(helper.make_node("LeakyRelu", [x], [name], alpha=float(layer.get("alpha", 0.01))))
        elif a == "elu":
            nodes.append(helper.make_node("Elu", [x], [name], alpha=float(layer.get("alpha", 1.0))))
        else:
            raise ValueError(a)
        return name

    def mlp(x, layers, prefix):
        for i, l in enumerate(layers):
            w = const(f"{prefix}W{i}", np.asarray(l["weights"], np.float32))
            b = const(f"{prefix}b{i}", np.asarray(l["bias"], np.float32))
            nodes.append(helper.make_node("MatMul", [x, w], [f"{prefix}mm{i}"]))
            nodes.append(helper.make_node("Add", [f"{prefix}mm{i}", b], [f"{prefix}z{i}"]))
            x = act(f"{prefix}z{i}", l, f"{prefix}h{i}")
        return x

    def scaled(x, key, n, name):
        s = doc.get(key)
        if doc["format_version"] >= 2:  # each input object carries its transform (docs/formats/tagger_model.md)
            inputs = doc[key.replace("scaling", "features")]
            s = {"offset": [e.get("offset", 0.0) for e in inputs], "scale": [e.get("scale", 1.0) for e in inputs]}
            divide_by = np.asarray([e.get("divide_by", 1.0) for e in inputs], np.float32)
            nodes.append(helper.make_node("Div", [x, const(name + "_div", divide_by)], [name + "_d"]))
            x = name + "_d"
        if s is None:
            return x
        nodes.append(helper.make_node("Sub", [x, const(name + "_off", np.asarray(s["offset"], np.float32))], [name + "_c"]))
        nodes.append(helper.make_node("Mul", [name + "_c", const(name + "_scale", np.asarray(s["scale"], np.float32))], [name]))
        return name

    n_c, n_j = len(doc["constituent_features"]), len(doc["jet_features"])
    h_out = doc["phi"][-1]["outputs"]
    jet = scaled("jet", "jet_scaling", n_j, "jet_s")
    con = scaled("con", "constituent_scaling", n_c, "con_s")
    phi = mlp(con, doc["phi"], "phi_")
    if ragged:
        inputs = [helper.make_tensor_value_info("con", TensorProto.FLOAT, ["T", n_c]),
                  helper.make_tensor_value_info("seg", TensorProto.INT64, ["T", 1]),
                  helper.make_tensor_value_info("jet", TensorProto.FLOAT, ["N", n_j])]
        nodes.append(helper.make_node("Shape", ["jet"], ["jet_shape"], end=1))
        nodes.append(helper.make_node("Concat", ["jet_shape", const("h_dim", np.array([h_out], np.int64))],
                                      ["zeros_shape"], axis=0))
        nodes.append(helper.make_node("ConstantOfShape", ["zeros_shape"], ["zeros"],
                                      value=helper.make_tensor("zero", TensorProto.FLOAT, [1], [0.0])))
        nodes.append(helper.make_node("Shape", [phi], ["phi_shape"]))
        nodes.append(helper.make_node("Expand", ["seg", "phi_shape"], ["seg_h"]))
        nodes.append(helper.make_node("ScatterElements", ["zeros", "seg_h", phi], ["pooled"], axis=0, reduction="add"))
    else:
        inputs = [helper.make_tensor_value_info("con", TensorProto.FLOAT, ["N", "M", n_c]),
                  helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["N", "M", 1]),
                  helper.make_tensor_value_info("jet", TensorProto.FLOAT, ["N", n_j])]
        nodes.append(helper.make_node("Mul", [phi, "mask"], ["phi_masked"]))
        nodes.append(helper.make_node("ReduceSum", ["phi_masked", const("axis1", np.array([1], np.int64))],
                                      ["pooled"], keepdims=0))
    if n_j:
        nodes.append(helper.make_node("Concat", ["pooled", jet], ["f_in"], axis=1))
        f_in = "f_in"
    else:
        f_in = "pooled"
    logits = mlp(f_in, doc["f"], "f_")
    n_out = doc["f"][-1]["outputs"]
    if doc["output"] == "sigmoid":
        nodes.append(helper.make_node("Sigmoid", [logits], ["prob"]))
    else:
        nodes.append(helper.make_node("Softmax", [logits], ["prob"], axis=1))
    graph = helper.make_graph(nodes, "deep_sets_" + ("ragged" if ragged else "padded"), inputs,
                              [helper.make_tensor_value_info("prob", TensorProto.FLOAT, ["N", n_out])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = min(model.ir_version, 9)
    onnx.checker.check_model(model)
    onnx.save(model, onnx_path)


def ort_session(onnx_path):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(onnx_path, so, providers=["CPUExecutionProvider"])


class OrtRunner:
    """Feeds for every slice of every batch size, prepared up front."""

    def __init__(self, sess, jets, ragged):
        self.sess, self.jets, self.ragged = sess, jets, ragged
        self.feeds = {}

    def feed(self, first, count):
        j = self.jets
        off = j["offsets"].astype(np.int64)
        lo, hi = off[first], off[first + count]
        jf = np.ascontiguousarray(j["jet_features"][first:first + count])
        cf = j["constituent_features"][lo:hi]
        counts = np.diff(off[first:first + count + 1])
        if self.ragged:
            seg = np.repeat(np.arange(count, dtype=np.int64), counts)[:, None]
            return {"con": np.ascontiguousarray(cf), "seg": seg, "jet": jf}
        m = int(counts.max())
        con = np.zeros((count, m, cf.shape[1]), np.float32)
        mask = np.zeros((count, m, 1), np.float32)
        idx = np.arange(m)[None, :] < counts[:, None]
        con[idx] = cf
        mask[idx, 0] = 1.0
        return {"con": con, "mask": mask, "jet": jf}

    def prepare(self, batch):
        n = len(self.jets["pt"])
        if batch not in self.feeds:
            self.feeds[batch] = [self.feed(s * batch, batch) for s in range(n // batch)]

    def scores(self, batch=4096):
        n = len(self.jets["pt"])
        out = [self.sess.run(["prob"], self.feed(s, min(batch, n - s)))[0] for s in range(0, n, batch)]
        return np.concatenate(out)

    def time(self, batch, calls, first_slice):
        self.prepare(batch)
        feeds = self.feeds[batch]
        slices = len(feeds)
        s = first_slice % slices
        run, names = self.sess.run, ["prob"]
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(calls):
            run(names, feeds[s])
            s += 1
            if s == slices:
                s = 0
        return time.perf_counter() - w0, time.process_time() - c0


# ------------------------------------------------------------ C harness

class Harness:
    def __init__(self, path):
        h = ctypes.CDLL(path)
        u64, dp = ctypes.c_uint64, ctypes.POINTER(ctypes.c_double)
        fp = np.ctypeslib.ndpointer(np.float32, flags="C_CONTIGUOUS")
        up = np.ctypeslib.ndpointer(np.uint64, flags="C_CONTIGUOUS")
        h.tb_error.restype = ctypes.c_char_p
        h.tb_version.restype = ctypes.c_char_p
        h.tb_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        h.tb_set_pool.argtypes = [u64, u64, fp, up, u64, u64, fp]
        h.tb_score.argtypes = [ctypes.c_int, u64, u64, u64, fp]
        h.tb_time.argtypes = [ctypes.c_int, u64, u64, u64, dp, dp]
        self.h = h

    def check(self, rc):
        if rc < 0:
            raise SystemExit("bench harness: " + self.h.tb_error().decode())
        return rc

    def set_pool(self, jets):
        self.jf = np.ascontiguousarray(jets["jet_features"], np.float32)
        self.off = np.ascontiguousarray(jets["offsets"], np.uint64)
        self.cf = np.ascontiguousarray(jets["constituent_features"], np.float32)
        self.check(self.h.tb_set_pool(self.jf.shape[0], self.jf.shape[1], self.jf, self.off,
                                      self.cf.shape[0], self.cf.shape[1], self.cf))

    def score(self, impl, n, n_out, batch=4096):
        out = np.empty((n, n_out), np.float32)
        self.check(self.h.tb_score(impl, 0, n, batch, out))
        return out

    def time(self, impl, batch, calls, first_slice):
        wall, cpu = ctypes.c_double(), ctypes.c_double()
        self.check(self.h.tb_time(impl, batch, calls, first_slice, ctypes.byref(wall), ctypes.byref(cpu)))
        return wall.value, cpu.value


def build_harness(build_dir, cc):
    out = os.path.join(build_dir, "libtaggerbench.so")
    flags = [cc, "-O2", "-std=c11", "-Wall", "-Wextra", "-fPIC", "-shared", "-I", os.path.join(ROOT, "include")]
    subprocess.run(flags + [os.path.join(HERE, "tagger_bench_lib.c"), "-o", out, "-ldl"], check=True)
    return out


# ------------------------------------------------------------ main

def fmt_rate(r):
    if r >= 1e6:
        return f"{r / 1e6:.2f} M"
    if r >= 1e3:
        return f"{r / 1e3:.1f} k"
    return f"{r:.0f}"


def short(name):
    return {ORT_PADDED: "ORT padded", ORT_RAGGED: "ORT ragged"}.get(name, name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", action="append", required=True, metavar="NAME=PATH")
    ap.add_argument("--model", action="append", default=None,
                    help="tagger model JSON (repeatable); default: Tests/golden/taggers/deepsets_sigmoid.json "
                         "and a wider random-weight model written to the build dir")
    ap.add_argument("--jets", type=int, default=20000, help="jets in the pool")
    ap.add_argument("--batches", default="1,16,256,10000")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=0.2)
    ap.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    ap.add_argument("--tol", type=float, default=2e-6, help="max |probability difference| from the numpy reference")
    ap.add_argument("--cc", default=os.environ.get("CC", "gcc"))
    ap.add_argument("--build-dir", default=os.path.join(HERE, "build"))
    ap.add_argument("--out", default=os.path.join(HERE, "TAGGER_RESULTS.md"))
    ap.add_argument("--note", default="")
    ap.add_argument("--command", default=None)
    a = ap.parse_args()

    os.makedirs(a.build_dir, exist_ok=True)
    load_before = os.getloadavg()
    started = datetime.datetime.now().astimezone()
    pool_path = os.path.join(a.build_dir, f"tagger_bench_jets_{a.jets}.bin")
    if not os.path.exists(pool_path):
        print(f"generating {a.jets} parametric jets with 10-50 constituents -> {pool_path}", flush=True)
        make_pool(pool_path, a.jets, seed=515)
    jets = jets_file.read_jets(pool_path)
    n = len(jets["pt"])
    counts = np.diff(jets["offsets"].astype(np.int64))
    print(f"pool: {n} jets, {counts.sum()} constituents ({counts.min()}-{counts.max()} per jet, mean {counts.mean():.1f})")

    models = a.model
    if not models:
        wide = os.path.join(a.build_dir, "tagger_bench_deepsets_wide.json")
        make_model(wide, 4242, [64, 64, 64], [64, 64])
        models = [os.path.join(ROOT, "Tests", "golden", "taggers", "deepsets_sigmoid.json"), wide]
    batches = [b for b in (int(x) for x in a.batches.split(",")) if b <= n]

    hb = Harness(build_harness(a.build_dir, a.cc))
    hb.set_pool(jets)
    import onnxruntime
    report = []
    all_results = {}
    for model in models:
        model = os.path.abspath(model)
        with open(model) as f:
            doc = json.load(f)
        shape, macs = describe(doc)
        n_out = doc["f"][-1]["outputs"]
        print(f"\n== {os.path.relpath(model, ROOT)}: {shape}", flush=True)
        trig = []
        for spec in a.lib:
            name, _, path = spec.partition("=")
            impl = hb.check(hb.h.tb_open(os.path.abspath(path).encode(), model.encode()))
            trig.append((f"TrigML {name}", impl, hb.h.tb_version(impl).decode()))
        stem = os.path.join(a.build_dir, os.path.splitext(os.path.basename(model))[0])
        build_onnx(doc, stem + "_padded.onnx", ragged=False)
        build_onnx(doc, stem + "_ragged.onnx", ragged=True)
        ort_runners = [(ORT_PADDED, OrtRunner(ort_session(stem + "_padded.onnx"), jets, False)),
                       (ORT_RAGGED, OrtRunner(ort_session(stem + "_ragged.onnx"), jets, True))]

        # ---- agreement on the whole pool before any timing
        expect = ref.score(ref.parse_model(doc), jets["jet_features"], jets["offsets"], jets["constituent_features"])
        checks, ok = [], True
        for name, impl, _ in trig:
            for batch in (1, 7, 4096):
                d = float(np.max(np.abs(hb.score(impl, n, n_out, batch).astype(np.float64) - expect)))
                checks.append((f"{name} (batches of {batch})", d))
                ok &= d <= a.tol
        for name, r in ort_runners:
            d = float(np.max(np.abs(r.scores().astype(np.float64) - expect)))
            checks.append((name, d))
            ok &= d <= max(a.tol, 1e-5)
        for name, d in checks:
            print(f"  {name:48s} max |diff| vs numpy reference {d:.2e}")
        if not ok:
            raise SystemExit("implementations disagree: not timing different work")

        # ---- timing, interleaved
        runners = [(name, (lambda impl: lambda b, c, f: hb.time(impl, b, c, f))(impl)) for name, impl, _ in trig]
        runners += [(name, r.time) for name, r in ort_runners]

        def measure(batch):
            return measure_rates(runners, batch, a, start_rows=200, min_seconds=0.04, max_rows=20_000_000)

        results = {}
        for batch in batches:
            results[batch] = measure(batch)
            print(f"batch {batch:>6}: " + "  ".join(f"{short(nm)}: {fmt_rate(results[batch][nm]['rate'])}/s"
                                                     for nm, _ in runners), flush=True)
        all_results[os.path.relpath(model, ROOT)] = {str(b): v for b, v in results.items()}
        report.append((model, shape, macs, trig, checks, results, [nm for nm, _ in runners]))
    load_after = os.getloadavg()

    # ---- report
    minfo = machine_info()
    command = a.command or " ".join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])
    out = ["# Deep Sets tagger throughput: TrigML vs ONNX Runtime\n",
           "Generated by `bench/tagger_bench.py` (run `bench/run_tagger_bench.sh`); do not edit by hand.\n",
           f"- **Date:** {started.strftime('%Y-%m-%d %H:%M %Z')}",
           f"- **Command:** `{command}`",
           f"- **Machine:** {minfo['cpu']}, {minfo['cpus']} CPUs ({minfo['cores_per_socket']} cores/socket, "
           f"{minfo['threads_per_core']} thread/core{', ' + minfo['hypervisor'] + ' VM' if minfo['hypervisor'] else ''}"
           f"{', AVX-512' if minfo['avx512'] else ''}), Linux {minfo['kernel']}",
           f"- **Load average** (1/5/15 min) before: {load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}, "
           f"after: {load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f} "
           f"(the machine's {minfo['cpus']} CPUs are shared with other jobs)",
           f"- **Library:** TrigML {report[0][3][0][2]}, commit {git_commit()}"]
    for spec in a.lib:
        name, _, path = spec.partition("=")
        built = datetime.datetime.fromtimestamp(os.path.getmtime(path)).astimezone().strftime("%Y-%m-%d %H:%M %Z")
        out.append(f"  - TrigML {name}: `{os.path.relpath(os.path.abspath(path), ROOT)}` (file dated {built})")
    if a.note:
        out.append(f"- **Builds:** {a.note}")
    out.append(f"- **TrigML harness:** `bench/tagger_bench_lib.c` ({cc_version(a.cc)}, -O2): the loop of "
               f"`tml_tagger_score` calls in C, each call on the next slice of the pool passed with the pool's own "
               f"CSR offsets (no copy, no padding)")
    out.append(f"- **ONNX Runtime** {onnxruntime.__version__} (PyPI), CPU provider, intra_op_num_threads=1, "
               f"inter_op_num_threads=1, sequential, ORT_ENABLE_ALL, opset 18; `session.run` from Python per batch. "
               f"Graphs built from the model JSON by `bench/tagger_bench.py`: scaling (Sub, Mul), Phi (MatMul, Add, "
               f"activation), pooling, Concat with the scaled jet features, F, Sigmoid. **padded**: [N, M, 3] "
               f"constituents padded to the longest jet of the batch, Phi output times a [N, M, 1] mask, ReduceSum "
               f"over M. **ragged**: [T, 3] constituents and an int64 segment id per constituent, "
               f"ScatterElements(reduction=add) into [N, H] zeros. Padding, masks and segment ids are prepared "
               f"before timing for every slice (not timed)")
    out.append(f"- **Jets:** {n} parametric jets (`tools/taggers/jets_parametric.py`, background and signal, shuffled) with "
               f"{counts.min()}-{counts.max()} constituents each (mean {counts.mean():.1f}); batch = consecutive jets")
    out.append(f"- **Timing:** {a.reps} repetitions of ~{a.seconds} s per implementation and batch, interleaved, after "
               f"warm-up; rate = median jets/s using "
               f"{'process CPU time (per core)' if a.clock == 'cpu' else 'wall-clock time'}, single thread")
    out.append("")
    for model, shape, macs, trig, checks, results, names in report:
        out.append(f"## `{os.path.relpath(model, ROOT)}`: {shape}\n")
        out.append(f"{macs[0]} multiply-adds per constituent (Phi), {macs[1]} per jet (F).\n")
        out.append("Agreement with the numpy reference (`tools/reference/tagger_reference.py`), all jets, before timing:\n")
        out.append("| implementation | max abs probability diff |")
        out.append("|---|---|")
        for name, d in checks:
            out.append(f"| {name} | {d:.1e} |")
        out.append("")
        tnames = [t[0] for t in trig]
        out.append("Jets/s per core (median; ± half the spread over repetitions):\n")
        out.append("| batch | " + " | ".join(short(nm) for nm in names) + " |")
        out.append("|---|" + "---|" * len(names))
        for batch, r in results.items():
            out.append(f"| {batch:,} | " + " | ".join(f"{fmt_rate(r[nm]['rate'])} (±{50 * r[nm]['spread']:.0f}%)"
                                                     for nm in names) + " |")
        out.append("")
        out.append("Ratios (TrigML / ONNX Runtime, same batch):\n")
        out.append("| batch | " + " | ".join(f"{t} / ORT padded | {t} / ORT ragged | {t} / best ORT"
                                             for t in tnames) + " |")
        out.append("|---|" + "---|" * (3 * len(tnames)))
        for batch, r in results.items():
            best = max(r[ORT_PADDED]["rate"], r[ORT_RAGGED]["rate"])
            out.append(f"| {batch:,} | " + " | ".join(
                f"{fmt_ratio(r[t]['rate'] / r[ORT_PADDED]['rate'])} | {fmt_ratio(r[t]['rate'] / r[ORT_RAGGED]['rate'])} | "
                f"**{fmt_ratio(r[t]['rate'] / best)}**" for t in tnames) + " |")
        out.append("")
        per_jet = macs[0] * counts.mean() + macs[1]
        out.append("Multiply-adds per second the TrigML rate stands for (Phi per constituent x mean constituents + F "
                   f"per jet = {per_jet / 1e3:.0f} k per jet, no padding counted; the double peak without FMA is "
                   "8 per cycle per core on AVX-512, 4 on AVX2): " + "; ".join(
                       f"batch {b:,}: " + ", ".join(f"{short(t)} {r[t]['rate'] * per_jet / 1e9:.1f} G/s" for t in tnames)
                       for b, r in results.items()) + "\n")
        other = "wall-clock" if a.clock == "cpu" else "process CPU time"
        key = "rate_wall" if a.clock == "cpu" else "rate_cpu"
        out.append(f"Same runs by {other} (jets/s): " + "; ".join(
            f"batch {b:,}: " + ", ".join(f"{short(nm)} {fmt_rate(r[nm][key])}" for nm in names)
            for b, r in results.items()) + "\n")
    out.append("## Notes\n")
    busy = max(load_before[0], load_after[0])
    out.append(f"- Load average up to {busy:.1f} on {minfo['cpus']} CPUs during the run"
               + (": the machine was shared, so absolute rates are noisy; the rates use process CPU time and "
                  "the implementations are interleaved, so the ratios within a batch are the trustworthy figures. "
                  "Re-run `bench/run_tagger_bench.sh` on a quiet machine for final numbers." if busy > 1.0 else "."))
    out.append("- ORT's per-call cost includes the Python `session.run` call (about what a Python host pays; a C++ "
               "host calling ORT's C API directly would pay less at batch 1 and 16). TrigML's loop is in C.")
    out.append("- TrigML evaluates the networks in double precision, multiply then add (no FMA), with the lanes "
               "along rows of 32 (Phi: constituents of consecutive jets, F: jets), each layer in passes of eight "
               "accumulators held in registers (4 outputs x 2 vectors of lanes, or 8 x 1), in the widest double "
               "vector of the kernel path the one library picks at load (2 lanes SSE2, 4 AVX2, 8 AVX-512); each lane "
               "gets the same operations in the same order on every path, so every path gives the same bits. "
               "ORT runs float32 through its MLAS kernels (FMA), which pick AVX2/AVX-512 at run time. With small "
               "networks the per-call and per-node overheads dominate and TrigML leads by far; with wide Phi layers "
               "(thousands of multiply-adds per constituent) the arithmetic dominates: TrigML's double multiply and "
               "add are two instructions per 8 lanes against ORT's one float32 FMA per 16, so the wide model is "
               "bound by the double peak (the G/s line under each table).")
    out.append("- The ragged ORT graph does no padding work but ScatterElements(add) is a scalar loop in ORT; the "
               "padded graph wastes (max - mean) / max of the Phi work per batch (up to ~35% here) but stays in GEMM.")
    out.append("- TrigML computes in double and rounds each probability once (docs/formats/tagger_model.md); ORT "
               "computes in float32. Both agree with the numpy reference within the tolerance shown above.")
    with open(a.out, "w") as f:
        f.write("\n".join(out) + "\n")
    json_path = os.path.join(a.build_dir, "tagger_bench_results.json")
    with open(json_path, "w") as f:
        json.dump({"date": started.isoformat(), "command": command, "machine": minfo, "load_before": load_before,
                   "load_after": load_after, "clock": a.clock, "results": all_results}, f, indent=1)
    print(f"wrote {a.out} and {json_path}")


if __name__ == "__main__":
    main()
