#!/usr/bin/env python3
"""Writes the small, hand-shaped seed inputs of the fuzz targets into
Tests/fuzz-corpus/<target>/ (committed; the real golden files in
Tests/golden/ are added at run time by run_fuzz.sh, see <target>.seeds).

    python3 fuzz/make_seeds.py          # rewrites the generated seeds

Deterministic: the same files on every run. Only the standard library.
"""
import json
import os
import random
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Tests", "fuzz-corpus")

INPUTS = {"lst-v2": 23, "lst-v1": 38}


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def layer(rng, n_in, n_out, activation):
    return {
        "inputs": n_in,
        "outputs": n_out,
        "activation": activation,
        "weights": [[round(rng.uniform(-1, 1), 4) for _ in range(n_out)] for _ in range(n_in)],
        "bias": [round(rng.uniform(-0.5, 0.5), 4) for _ in range(n_out)],
    }


def model(rng, feature_set, hidden, wp):
    layers, width = [], INPUTS[feature_set]
    for h in hidden:
        layers.append(layer(rng, width, h, "relu"))
        width = h
    layers.append(layer(rng, width, 1, "sigmoid"))
    return {
        "format": "trigml.t5-model",
        "format_version": 1,
        "feature_set": feature_set,
        "provenance": "fuzz seed",
        "layers": layers,
        "working_point": wp,
    }


def t5_model_seeds():
    rng = random.Random(6)
    single = {"kind": "single", "cut": 0.5}
    table = {"kind": "pt_eta_table", "pt_edges_gev": [5.0], "eta_bin_width": 0.25, "eta_bins": 3,
             "cuts": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]}
    seeds = {
        "v2_tiny_single.json": model(rng, "lst-v2", [1], single),
        "v2_tiny_table.json": model(rng, "lst-v2", [2], table),
        "v2_no_hidden.json": model(rng, "lst-v2", [], single),
        "v1_tiny_table.json": model(rng, "lst-v1", [1], table),
        "v2_deep.json": model(rng, "lst-v2", [1] * 15, single),
    }
    for name, doc in seeds.items():
        write("t5_model_file", name, json.dumps(doc, separators=(",", ":")))
    # The same document with every JSON feature the reader must handle:
    # whitespace, escapes, exponents, integers written as 1.0, null members.
    doc = model(rng, "lst-v2", [1], table)
    text = json.dumps(doc, indent=1)
    text = text.replace('"fuzz seed"', '"\\u00e9\\ud83d\\ude00 \\"quoted\\" \\\\ \\/ \\b\\f\\n\\r\\t"')
    text = text.replace('"format_version": 1', '"format_version": 1.0')
    text = text.replace('"eta_bin_width": 0.25', '"eta_bin_width": 2.5E-1')
    write("t5_model_file", "v2_json_features.json", text)
    # Strict keys: the same file with an unknown member is refused.
    text = text.replace('"provenance"', '"unknown_member": [null, true, false, {}, []],\n "provenance"')
    write("t5_model_file", "v2_unknown_member.json", text)
    t5_model_version2_seeds(rng)


def t5_model_version2_seeds(rng):
    """Format version 2 (docs/formats/t5_model.md, "Version 2"): extra inputs
    reading columns 0-3 of the fuzz target's host tables, standardisation,
    softmax with named working points, embeddings, a sigmoid."""
    extras = [{"from": "t3", "t3": "inner", "column": 0}, {"from": "t3", "t3": "outer", "column": 3},
              {"from": "md", "anchor": 5, "column": 1}, {"from": "t5", "column": 2}]
    table = {"name": "retention98", "kind": "pt_eta_table", "pt_edges_gev": [5.0], "eta_bin_width": 0.25,
             "eta_bins": 3, "cuts": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]}

    def version2(feature_set, extra, hidden, last, outputs, **members):
        width = INPUTS[feature_set] + len(extra)
        layers = []
        for activation in hidden:
            layers.append(layer(rng, width, 3, activation))
            width = 3
        layers.append(layer(rng, width, outputs, last))
        doc = {"format": "trigml.t5-model", "format_version": 2, "feature_set": feature_set, "layers": layers}
        if extra:
            doc["extra_inputs"] = extra
        n = INPUTS[feature_set] + len(extra)
        doc["standardize"] = {"mean": [round(rng.uniform(-1, 1), 3) for _ in range(n)],
                              "std": [round(rng.uniform(0.5, 2), 3) for _ in range(n)]}
        doc.update(members)
        return doc

    three = {"classes": ["fake", "prompt", "displaced"], "score": {"kind": "one_minus", "class": "fake"},
             "working_points": [table, {"name": "retention93", "kind": "single", "cut": 0.7}]}
    seeds = {
        "v2fmt_3class.json": version2("lst-v2", extras, ["relu", "leaky_relu"], "softmax", 3, **three),
        "v2fmt_3class_v1.json": version2("lst-v1", extras[:2], ["tanh"], "softmax", 3, **three),
        "v2fmt_probability.json": version2("lst-v2", [], ["elu"], "softmax", 2, classes=["fake", "real"],
                                           score={"kind": "probability", "class": "real"},
                                           working_point={"kind": "single", "cut": 0.5}),
        "v2fmt_embed.json": version2("lst-v2", extras, ["relu"], "linear", 6, embedding={"dim": 6}),
        "v2fmt_sigmoid.json": version2("lst-v2", extras[3:], [], "sigmoid", 1, working_points=[table]),
    }
    seeds["v2fmt_embed.json"]["layers"][-1]["output"] = "embedding"
    for name, doc in seeds.items():
        write("t5_model_file", name, json.dumps(doc, separators=(",", ":")))


def t5_batch_seeds():
    """Inputs in the byte encoding of fuzz/targets/t5_batch.c."""
    rng = random.Random(7)

    def synth(flags, tracks, fakes, seed, edits=()):
        out = struct.pack("<BBBBI", flags, 0, tracks, fakes, seed) + bytes([len(edits)])
        for what, at, payload in edits:
            out += struct.pack("<BH", what, at) + payload
        return out

    def chain(flags, n_md, n_t5, extra, raw=False):
        out = bytes([flags, 1, 1 if raw else 0, n_md - 1, n_t5, extra])
        out += bytes(rng.randrange(256) for _ in range(n_md * (7 + (18 if raw else 0)) + (2 * n_t5 + extra) * 8))
        return out

    def raw(flags, n_md, n_t3, n_t5):
        out = bytes([flags, 2, n_md, n_t3, n_t5])
        out += bytes(rng.randrange(256) for _ in range(n_md * 25))
        out += bytes(rng.randrange(n_md + 2) for _ in range(3 * n_t3))
        out += bytes(rng.randrange(256) for _ in range(4 * n_t3))
        out += bytes(rng.randrange(n_t3 + 2) for _ in range(2 * n_t5))
        return out

    seeds = {
        "synth_v2.bin": synth(0, 10, 3, 1),
        "synth_v1.bin": synth(1, 10, 3, 2),
        "synth_v2_no_layer_no_pass.bin": synth(2 | 4, 6, 2, 3),
        "synth_v1_no_layer.bin": synth(1 | 2, 6, 2, 4),
        "synth_nan_edits.bin": synth(0, 9, 0, 5, [(0, 3, b"\x04"), (6, 2, b"\x06"), (4, 7, b"\x07")]),
        "synth_index_edits.bin": synth(1, 9, 4, 6, [(8, 5, b"\x02\x07"), (9, 1, b"\x01\x03")]),
        "synth_collinear.bin": synth(0, 12, 1, 8, [(11, 10, b"\x00"), (10, 4, b"")]),
        "chain_special_v2.bin": chain(0, 20, 8, 1),
        "chain_raw_v1.bin": chain(1, 12, 5, 2, raw=True),
        "raw_v2.bin": raw(0, 20, 10, 6),
        "raw_v1_null_empty.bin": raw(1 | 32, 0, 0, 0),
        "null_model.bin": synth(8, 3, 0, 9),
        "null_output.bin": synth(16, 3, 0, 10),
        "absurd_n_t5.bin": bytes([64, 0, 2, 1, 0]),
        "absurd_n_md.bin": bytes([64, 0, 0, 0, 1]),
        "absurd_n_t3.bin": bytes([64, 0, 1, 4]) + bytes(8) + b"\x00",
    }
    for name, data in seeds.items():
        write("t5_batch", name, data)


def forest_file_seeds():
    """Small forests of both kinds (docs/formats/forest.md; XGBoost JSON)."""
    own = {
        "format": "trigml.forest", "format_version": 1, "feature_count": 3,
        "feature_names": ["a", "b", "c"], "base_score": 0.5, "provenance": "fuzz seed",
        "trees": [
            {"left": [1, 3, -1, -1, -1, -1], "right": [2, 4, -1, -1, -1, -1],
             "feature": [0, 2, 0, 0, 0, 1], "threshold": [12.5, -1.0, 0, 0, 0, 7],
             "value": [0, 0, 0.25, -0.125, 0.0625, 99],
             "default_left": [True, False, False, False, False, False]},
            {"left": [-1], "right": [-1], "feature": [0], "threshold": [0], "value": [-0.5]},
        ],
    }
    write("forest_file", "own_small.json", json.dumps(own, separators=(",", ":")))
    single = dict(own, feature_count=1, feature_names=["x"], trees=[
        {"left": [1, -1, -1], "right": [2, -1, -1], "feature": [0, 0, 0],
         "threshold": [0.0, 0, 0], "value": [0, -1e-3, 1e-3]}])
    write("forest_file", "own_one_feature.json", json.dumps(single, indent=1))
    write("forest_file", "own_no_trees.json", json.dumps(dict(own, trees=[])))
    try:
        import numpy as np
        import xgboost as xgb
    except ImportError:
        print("xgboost not installed: no XGBoost seeds (the golden forests still seed the fuzzer)")
        return
    rng = np.random.default_rng(11)
    x = rng.normal(size=(200, 3)).astype(np.float32)
    x[rng.random(x.shape) < 0.1] = np.nan
    y = (x[:, 0] > 0).astype(np.float32)
    for objective in ("binary:logistic", "reg:squarederror"):
        booster = xgb.train({"objective": objective, "max_depth": 2, "seed": 1, "nthread": 1},
                            xgb.DMatrix(x, label=y), num_boost_round=2)
        raw = bytes(booster.save_raw("json"))
        write("forest_file", "xgb_tiny_%s.json" % objective.replace(":", "_"), raw)


def forest_predict_seeds():
    """Inputs in the byte encoding of fuzz/targets/forest_predict.c."""
    rng = random.Random(12)

    def vals(n):
        return bytes(rng.randrange(256) for _ in range(n))

    seeds = {
        "row_major.bin": bytes([0, 0, 70]) + vals(70 * 8),
        "column_major_raw.bin": bytes([1, 0x81, 9]) + vals(9 * 8 * 4),
        "strides.bin": bytes([2, 2, 5, 11, 3]) + vals(200),
        "stride_zero.bin": bytes([3, 2, 4, 0, 0]) + vals(8),
        "own_forest.bin": bytes([5, 0, 66]) + vals(66 * 3),
        "absurd.bin": bytes([0, 3, 0]) + vals(8),
        "wrong_handles.bin": bytes([1, 4, 2]),
        "empty.bin": bytes([0, 0, 0]),
    }
    for name, data in seeds.items():
        write("forest_predict", name, data)


def dense(rng, n_in, n_out, activation, **extra):
    d = {"inputs": n_in, "outputs": n_out, "activation": activation,
         "weights": [[round(rng.uniform(-1, 1), 3) for _ in range(n_out)] for _ in range(n_in)],
         "bias": [round(rng.uniform(-0.2, 0.2), 3) for _ in range(n_out)]}
    d.update(extra)
    return d


def tagger_file_seeds():
    """Small taggers of both kinds (docs/formats/tagger_model.md."""
    rng = random.Random(13)
    mlp = {"format": "trigml.tagger", "format_version": 1, "kind": "mlp", "output": "sigmoid",
           "jet_features": ["a", "b", "c"], "jet_scaling": {"offset": [0.5, 0, -1], "scale": [2, 1, 0.5]},
           "layers": [dense(rng, 3, 4, "relu"), dense(rng, 4, 3, "elu", alpha=0.5), dense(rng, 3, 1, "linear")]}
    write("tagger_file", "mlp_sigmoid.json", json.dumps(mlp, separators=(",", ":")))
    softmax = dict(mlp, output="softmax", classes=["q", "w", "t"],
                   layers=[dense(rng, 3, 4, "tanh"), dense(rng, 4, 3, "linear")])
    write("tagger_file", "mlp_softmax.json", json.dumps(softmax, separators=(",", ":")))
    deep = {"format": "trigml.tagger", "format_version": 1, "kind": "deep_sets", "output": "softmax",
            "jet_features": ["pt"], "constituent_features": ["x", "y"],
            "constituent_scaling": {"offset": [0, 0], "scale": [1, 4]},
            "phi": [dense(rng, 2, 3, "leaky_relu", alpha=0.01), dense(rng, 3, 2, "relu")],
            "f": [dense(rng, 3, 3, "relu"), dense(rng, 3, 2, "linear")]}
    write("tagger_file", "deepsets_softmax.json", json.dumps(deep, indent=1))
    no_jet = dict(deep, jet_features=[], output="sigmoid",
                  f=[dense(rng, 2, 2, "relu"), dense(rng, 2, 1, "linear")])
    write("tagger_file", "deepsets_no_jet_features.json", json.dumps(no_jet, separators=(",", ":")))
    # Format version 2: inputs as objects carrying their transforms.
    mlp2 = dict(mlp, format_version=2,
                jet_features=[{"name": "a", "offset": 0.5, "scale": 2}, {"name": "b"},
                              {"name": "n", "divide_by": 50, "offset": -1, "scale": 0.5}])
    del mlp2["jet_scaling"]
    write("tagger_file", "v2_mlp_sigmoid.json", json.dumps(mlp2, separators=(",", ":")))
    deep2 = dict(deep, format_version=2, jet_features=[{"name": "pt", "divide_by": 1000}],
                 constituent_features=[{"name": "x"}, {"name": "y", "scale": 4, "divide_by": 0.5}])
    del deep2["constituent_scaling"]
    write("tagger_file", "v2_deepsets_softmax.json", json.dumps(deep2, indent=1))


def tagger_score_seeds():
    """Inputs in the byte encoding of fuzz/targets/tagger_score.c."""
    rng = random.Random(14)

    def vals(n):
        return bytes(rng.randrange(256) for _ in range(n))

    seeds = {}
    for k in range(4):  # each golden tagger (index modulo the count)
        seeds["valid_%d.bin" % k] = bytes([k, 0, 12, 0]) + bytes(rng.randrange(9) for _ in range(12)) + b"\x01" + vals(600)
    seeds["raw_offsets.bin"] = bytes([0, 4, 6, 1]) + vals(80)
    seeds["wrong_counts.bin"] = bytes([1, 3, 1, 2, 4, 0]) + vals(64)
    seeds["null_columns.bin"] = bytes([2, 16, 3, 0, 2, 2, 2, 0, 1]) + vals(64)
    seeds["raw_floats.bin"] = bytes([3, 32, 5, 0, 1, 2, 3, 4, 5, 0]) + vals(400)
    seeds["absurd.bin"] = bytes([0, 64, 1, 0])
    for name, data in seeds.items():
        write("tagger_score", name, data)


def ddt_map_file_seeds():
    """Small DDT maps (docs/formats/ddt_map.md."""
    def grid(rows, cols, f):
        return [[f(i, j) for j in range(cols)] for i in range(rows)]

    full = {"format": "trigml.ddt-map", "format_version": 1, "provenance": "fuzz seed",
            "background_efficiency": 0.05, "direction": "higher_passes",
            "rho": {"min": -7.0, "max": 0.0, "bins": 3}, "pt": {"min": 200.0, "max": 1000.0, "bins": 2},
            "min_entries": 20, "empty_bins": "fill", "smoothing": "none", "neighbours": 5,
            "values": grid(3, 2, lambda i, j: 0.1 * i + 0.05 * j),
            "entries": grid(3, 2, lambda i, j: 10 * (i + j)),
            "filled": grid(3, 2, lambda i, j: (i + j) % 2 == 0)}
    write("ddt_map_file", "map_3x2.json", json.dumps(full, indent=1))
    minimal = {"format": "trigml.ddt-map", "format_version": 1, "background_efficiency": 0.5,
               "direction": "lower_passes", "rho": {"min": -1, "max": 1, "bins": 1},
               "pt": {"min": 0, "max": 1, "bins": 1}, "values": [[0.25]]}
    write("ddt_map_file", "map_1x1.json", json.dumps(minimal, separators=(",", ":")))
    knn = dict(full, smoothing="knn", neighbours=2, empty_bins="fail",
               rho={"min": -6.0, "max": -1.0, "bins": 5}, pt={"min": 300.0, "max": 900.0, "bins": 4},
               values=grid(5, 4, lambda i, j: 1e-3 * (i * 4 + j) - 0.01), entries=None, filled=None)
    knn = {k: v for k, v in knn.items() if v is not None}
    write("ddt_map_file", "map_knn_5x4.json", json.dumps(knn, separators=(",", ":")))
    # Format version 2: the score transform recorded.
    logit = dict(full, format_version=2, score_transform="logit")
    write("ddt_map_file", "v2_map_logit_3x2.json", json.dumps(logit, indent=1))
    identity = dict(minimal, format_version=2, score_transform="identity")
    write("ddt_map_file", "v2_map_identity_1x1.json", json.dumps(identity, separators=(",", ":")))


if __name__ == "__main__":
    t5_model_seeds()
    t5_batch_seeds()
    forest_file_seeds()
    forest_predict_seeds()
    tagger_file_seeds()
    tagger_score_seeds()
    ddt_map_file_seeds()
