"""Forest: an XGBoost model predicts bit for bit as XGBoost in any layout
and dtype, and every bad argument."""
import numpy as np
import pytest

import trigml
from bad_arguments import raises_naming
from conftest import GOLDEN

xgb = pytest.importorskip("xgboost")
MODEL = GOLDEN / "forests" / "xgb_binary_logistic.json"


@pytest.fixture(scope="module")
def forest():
    with trigml.Forest.load(MODEL) as loaded:
        yield loaded


def rows(n=4096, seed=3):
    x = np.random.default_rng(seed).normal(size=(n, 8)).astype(np.float32) * 2
    x[::7, 2] = np.nan  # missing values take each node's default direction
    return x


def bits(values):
    return np.ascontiguousarray(values, dtype=np.float32).view(np.uint32)


def test_predicts_bit_for_bit_as_xgboost(forest):
    booster = xgb.Booster(model_file=str(MODEL))
    assert forest.feature_count == 8 and forest.tree_count == len(booster.get_dump())
    x = rows()
    want = booster.predict(xgb.DMatrix(x), output_margin=True)
    assert np.array_equal(bits(forest.predict(x)), bits(want))


@pytest.mark.parametrize("layout", ["fortran", "strided", "reversed", "float64", "float16", "int"])
def test_any_layout_and_dtype_give_the_same_bits(forest, layout):
    x = rows()
    if layout == "int":
        x = np.nan_to_num(x).astype(np.int32)
    if layout == "float16":
        x = x.astype(np.float16)
    want = forest.predict(np.ascontiguousarray(x.astype(np.float32)))
    view = {"fortran": lambda: np.asfortranarray(x),
            "strided": lambda: np.repeat(np.repeat(x, 2, axis=0), 3, axis=1)[::2, ::3],
            "reversed": lambda: x[::-1].copy()[::-1],  # negative row stride
            "float64": lambda: x.astype(np.float64),
            "float16": lambda: x, "int": lambda: x}[layout]()
    assert np.array_equal(bits(forest.predict(view)), bits(want))


def test_bad_arguments(forest):
    x = rows(16)
    raises_naming(ValueError, "X", forest.predict, x[:, :7])      # too few columns: would read past a row
    raises_naming(ValueError, "X", forest.predict, x[0])          # 1-D
    raises_naming(ValueError, "X", forest.predict, x[None])       # 3-D
    raises_naming(TypeError, "X", forest.predict, x.astype(np.complex64))
    raises_naming(TypeError, "X", forest.predict, np.array([["a"] * 8]))
    raises_naming(TypeError, "X", forest.predict, None)
    raises_naming(TypeError, "path", trigml.Forest.load, None)
    raises_naming(ValueError, "path", trigml.Forest.load, "a\0b")
    with pytest.raises(TypeError):
        forest.predict(x, output_margin=False)
