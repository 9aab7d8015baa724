"""Writes the tagger golden files under Tests/golden/taggers/ (small,
deterministic): four models covering MLP / Deep Sets, sigmoid / softmax and
every hidden activation; a jet file from the parametric generator with
edge cases appended; the numpy reference scores per model; and a weighted
background sample for DDT and metric parity.

    python3 tools/taggers/tagger_golden.py            # rewrite the files
"""
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: F401,E402  (tools subfolders and python/ on sys.path)

import jets_file  # noqa: E402
import jets_parametric as jp  # noqa: E402
import tagger_model_file as tmf  # noqa: E402
import tagger_reference as ref  # noqa: E402

GOLDEN = checkout_paths.ROOT / "Tests" / "golden" / "taggers"
SCORES_MAGIC = b"TMLTGSC1"


def random_layer(rng, n_in, n_out, activation, alpha=None):
    w = rng.normal(0, 1.2 / np.sqrt(n_in), (n_in, n_out))
    b = rng.normal(0, 0.3, n_out)
    return tmf.layer(w, b, activation, alpha)


def models():
    rng = np.random.default_rng(20240505)
    J, C = len(jp.JET_FEATURES), len(jp.CONSTITUENT_FEATURES)
    # The jets carry the raw multiplicity; the files divide it by 50 (the
    # normalisation these weights were drawn for) before standardising.
    jet_inputs = tmf.inputs(jp.JET_FEATURES, [0.5, 0.2, 3.0, 0.15, 0.06, 6.0, 0.7],
                            [3.0, 10.0, 0.4, 8.0, 20.0, 2.0, 4.0], jp.JET_INPUT_DIVIDE_BY)
    con_inputs = tmf.inputs(jp.CONSTITUENT_FEATURES, [-3.5, 0.0, 0.0], [0.5, 4.0, 4.0])
    out = {}
    out["mlp_sigmoid"] = tmf.mlp_document(
        [random_layer(rng, J, 16, "relu"), random_layer(rng, 16, 16, "tanh"), random_layer(rng, 16, 1, "linear")],
        jet_inputs, "sigmoid", provenance="random weights for parity tests (tools/tagger_golden.py)")
    out["mlp_softmax"] = tmf.mlp_document(
        [random_layer(rng, J, 12, "elu", 0.7), random_layer(rng, 12, 10, "leaky_relu", 0.05),
         random_layer(rng, 10, 3, "linear")],
        jet_inputs, "softmax", classes=["w", "top", "qcd"],
        provenance="random weights for parity tests (tools/tagger_golden.py)")
    out["deepsets_sigmoid"] = tmf.deep_sets_document(
        [random_layer(rng, C, 16, "relu"), random_layer(rng, 16, 8, "relu")],
        [random_layer(rng, 8 + J, 16, "leaky_relu"), random_layer(rng, 16, 1, "linear")],
        con_inputs, jet_inputs, "sigmoid",
        provenance="random weights for parity tests (tools/tagger_golden.py)")
    out["deepsets_softmax"] = tmf.deep_sets_document(
        [random_layer(rng, C, 12, "tanh"), random_layer(rng, 12, 6, "elu")],
        [random_layer(rng, 6, 9, "relu"), random_layer(rng, 9, 4, "linear")],
        con_inputs, [], "softmax",
        provenance="random weights for parity tests (tools/tagger_golden.py)")
    return out


def golden_jets():
    jets = jp.sample(60, 60, seed=7)
    n = len(jets["pt"])
    # Edge cases: a jet without constituents, one with a single constituent,
    # a NaN jet feature, an infinite constituent feature.
    extra_jf = np.repeat(jets["jet_features"][:1], 4, axis=0).copy()
    extra_jf[2, 0] = np.nan
    cf = jets["constituent_features"]
    last = int(jets["offsets"][-1])
    extra_cf = np.array([[-1.0, 0.1, -0.2], [-2.0, 0.0, 0.3], [np.inf, 0.0, 0.0]], np.float32)
    extra_off = np.array([last, last, last + 1, last + 2, last + 3], np.uint64)
    out = {k: np.concatenate([v, v[:4]]) for k, v in jets.items() if k not in ("jet_features", "offsets", "constituent_features")}
    out["jet_features"] = np.concatenate([jets["jet_features"], extra_jf])
    out["offsets"] = np.concatenate([jets["offsets"][:-1], extra_off])
    out["constituent_features"] = np.concatenate([cf, extra_cf])
    assert len(out["offsets"]) == n + 5
    return out


def write_scores(path, scores):
    with open(path, "wb") as f:
        f.write(SCORES_MAGIC)
        f.write(np.array([scores.shape[0]], "<u8").tobytes())
        f.write(np.array([scores.shape[1], 0], "<u4").tobytes())
        f.write(np.ascontiguousarray(scores, "<f4").tobytes())


def read_scores(path):
    data = open(path, "rb").read()
    assert data[:8] == SCORES_MAGIC
    n = int(np.frombuffer(data, "<u8", 1, 8)[0])
    k = int(np.frombuffer(data, "<u4", 1, 16)[0])
    return np.frombuffer(data, "<f4", n * k, 24).reshape(n, k)


def ddt_sample():
    """Weighted QCD-like background for DDT / metric parity: a score that
    depends on rho (so the map has structure), ties from a quantised copy,
    and a signal part for the metric."""
    rng = np.random.default_rng(99)
    bkg = jp.generate(6000, False, seed=11)
    sig = jp.generate(2000, True, seed=12)
    n_b, n_s = len(bkg["pt"]), len(sig["pt"])
    mass = np.concatenate([bkg["mass"], sig["mass"]])
    pt = np.concatenate([bkg["pt"], sig["pt"]])
    tau21 = np.concatenate([bkg["jet_features"][:, 0], sig["jet_features"][:, 0]])
    score = (1 - tau21 + 0.05 * rng.standard_normal(n_b + n_s)).astype(np.float32)
    weight = rng.uniform(0.2, 3.0, n_b + n_s).astype(np.float32)
    weight[rng.uniform(size=n_b + n_s) < 0.02] = 0.0  # some zero weights
    label = np.concatenate([np.zeros(n_b, np.uint8), np.ones(n_s, np.uint8)])
    score_tied = (np.round(score * 20) / 20).astype(np.float32)
    return {"score": score, "score_tied": score_tied, "mass": mass, "pt": pt, "weight": weight, "label": label}


def main():
    GOLDEN.mkdir(parents=True, exist_ok=True)
    jets = golden_jets()
    jets_file.write_jets(GOLDEN / "jets.bin", jets)
    for name, doc in models().items():
        tmf.write(GOLDEN / f"{name}.json", doc)
        m = ref.parse_model(doc)
        if m["kind"] == "mlp":
            s = ref.score(m, jets["jet_features"])
        else:
            s = ref.score(m, jets["jet_features"] if m["jet_features"] else np.zeros((len(jets["pt"]), 0)),
                          jets["offsets"], jets["constituent_features"])
        write_scores(GOLDEN / f"{name}.scores.bin", s)
    np.savez_compressed(GOLDEN / "ddt_sample.npz", **ddt_sample())
    for p in sorted(GOLDEN.iterdir()):
        print(p.relative_to(checkout_paths.ROOT), p.stat().st_size)


if __name__ == "__main__":
    main()
