"""Train the small XGBoost models used by the forest parity tests.

    python3 tools/lut/forest_xgb_models.py            # writes Tests/golden/forests/xgb_*.json

Deterministic: fixed seeds, one thread, the `hist` tree method. The
training data have NaNs (so trees learn both default directions) and
discrete columns (so prediction rows hit thresholds exactly). Each model
is saved with Booster.save_model("x.json"), untouched, so the files are
what a user's XGBoost writes.
"""
import argparse
import os

import numpy as np
import xgboost as xgb

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(REPO, "Tests", "golden", "forests")
N_FEATURES = 8

# name -> (objective, extra parameters, boosting rounds)
MODELS = {
    "xgb_reg_squarederror": ("reg:squarederror", {"max_depth": 5}, 20),
    "xgb_reg_absoluteerror": ("reg:absoluteerror", {"max_depth": 4}, 20),
    "xgb_binary_logistic": ("binary:logistic", {"max_depth": 5}, 20),
    "xgb_reg_logistic": ("reg:logistic", {"max_depth": 4}, 20),
    # Unbalanced, deeper trees (leaf-wise growth, no depth limit, up to 48
    # leaves: more than the 32 of the mask layout, so the walk layout is used).
    "xgb_reg_squarederror_lossguide": ("reg:squarederror",
                                       {"grow_policy": "lossguide", "max_leaves": 48, "max_depth": 0}, 8),
}


def training_data(seed, n=4000):
    """Features: 5 continuous (one heavy-tailed), 3 small integers; 12% NaN."""
    rng = np.random.default_rng(seed)
    x = np.empty((n, N_FEATURES), dtype=np.float32)
    x[:, 0:4] = rng.normal(size=(n, 4))
    x[:, 4] = rng.standard_cauchy(size=n)
    x[:, 5:8] = rng.integers(-3, 4, size=(n, 3))
    signal = np.nan_to_num(x[:, 0]) * 1.5 - np.nan_to_num(x[:, 1]) ** 2 + 0.7 * np.nan_to_num(x[:, 5]) \
        + np.sin(np.nan_to_num(x[:, 2]) * 3) + 0.3 * rng.normal(size=n)
    mask = rng.random(x.shape) < 0.12
    x[mask] = np.nan
    return x, signal.astype(np.float32)


def labels(objective, signal, seed):
    rng = np.random.default_rng(seed + 1)
    if objective == "binary:logistic":
        return (signal + rng.logistic(size=signal.size) * 0.5 > 0.3).astype(np.float32)
    if objective == "reg:logistic":
        return (1.0 / (1.0 + np.exp(-signal))).astype(np.float32)
    return signal


def train(name, seed=20240611):
    objective, extra, rounds = MODELS[name]
    x, signal = training_data(seed)
    y = labels(objective, signal, seed)
    params = {"objective": objective, "eta": 0.3, "nthread": 1, "seed": seed,
              "tree_method": "hist", "max_bin": 64}
    params.update(extra)
    return xgb.train(params, xgb.DMatrix(x, label=y), num_boost_round=rounds)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=OUT_DIR)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in MODELS:
        path = os.path.join(args.out, name + ".json")
        train(name).save_model(path)
        print(f"{path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
