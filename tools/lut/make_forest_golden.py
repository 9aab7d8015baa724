"""Expected margins of the XGBoost golden forests, computed by XGBoost itself.

    python3 tools/lut/make_forest_golden.py     # writes Tests/golden/forests/<model>.margins.bin

For every model Tests/golden/forests/xgb_*.json (tools/lut/forest_xgb_models.py)
it builds a fixed input matrix from the model's own split values (each on a
threshold, one float32 ulp above or below it, NaN = missing, +0.0 and -0.0, or
an ordinary value) and stores it with Booster.predict(DMatrix, output_margin=True)
of the unmodified XGBoost model. Tests/c/forest_golden.c then requires
tml_forest_predict to give these margins bit for bit (include/trigml.h:
XGBoost models sum as XGBoost's CPU predictor does, src/predictor/cpu_predictor.cc).
Deterministic: fixed seeds (numpy PCG64) and one XGBoost thread, so a rerun
with the same XGBoost writes the same bytes.

File layout (little-endian, no padding), "forest margins" version 1:
    char[8]  magic "TMLFMRG1"
    u64      n_rows
    u32      n_features
    u32      reserved, 0
    f32      x[n_rows * n_features]   row-major; NaN = missing
    f32      margin[n_rows]           XGBoost's output margin of each row
"""
import json
import pathlib
import struct
import sys

import numpy as np
import xgboost as xgb

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: E402

FOREST_DIR = checkout_paths.ROOT / "Tests" / "golden" / "forests"
MAGIC = b"TMLFMRG1"
N_ROWS = 512


def split_values(doc, n_features):
    """The float32 split values of each feature, sorted, from the model JSON."""
    per_feature = [set() for _ in range(n_features)]
    for tree in doc["learner"]["gradient_booster"]["model"]["trees"]:
        for child, feature, value in zip(tree["left_children"], tree["split_indices"], tree["split_conditions"]):
            if child != -1:
                per_feature[feature].add(np.float32(value))
    return [np.array(sorted(values), np.float32) for values in per_feature]


def input_matrix(doc, seed):
    """Each entry drawn from the feature's pool: its splits, one ulp either
    side of each, NaN, +-0.0 and a few ordinary values."""
    n_features = int(doc["learner"]["learner_model_param"]["num_feature"])
    rng = np.random.default_rng(seed)
    x = np.empty((N_ROWS, n_features), np.float32)
    for j, splits in enumerate(split_values(doc, n_features)):
        pool = np.concatenate([
            splits,
            np.nextafter(splits, np.float32(np.inf)),
            np.nextafter(splits, np.float32(-np.inf)),
            np.array([np.nan, 0.0, -0.0], np.float32),
            rng.normal(scale=3.0, size=8).astype(np.float32),
        ])
        x[:, j] = pool[rng.integers(0, pool.size, size=N_ROWS)]
    return x


def margins(model_path, x):
    booster = xgb.Booster(model_file=str(model_path))
    booster.set_param({"nthread": 1})
    return booster.predict(xgb.DMatrix(x, missing=np.nan), output_margin=True).astype(np.float32)


def write(path, x, margin):
    with open(path, "wb") as f:
        f.write(MAGIC + struct.pack("<QII", x.shape[0], x.shape[1], 0))
        f.write(np.ascontiguousarray(x, "<f4").tobytes())
        f.write(np.ascontiguousarray(margin, "<f4").tobytes())


def main():
    models = sorted(FOREST_DIR.glob("xgb_*.json"))
    for seed, model_path in enumerate(models, start=1):
        doc = json.loads(model_path.read_text())
        x = input_matrix(doc, seed)
        out = FOREST_DIR / (model_path.stem + ".margins.bin")
        write(out, x, margins(model_path, x))
        print(f"{out.relative_to(checkout_paths.ROOT)}: {x.shape[0]} rows x {x.shape[1]} features "
              f"(XGBoost {xgb.__version__})")


if __name__ == "__main__":
    main()
