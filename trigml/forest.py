"""Boosted decision tree forests: tml_forest_* (XGBoost JSON models and the
library's own forest file)."""
import ctypes

import numpy as np

from . import _checks, _library
from ._handle import Handle, handle_property

_FLOAT32_BYTES = 4


class Forest(Handle):
    """A forest of binary decision trees (tml_forest)."""
    _free = "tml_forest_free"

    @classmethod
    def load(cls, path):
        """An XGBoost JSON model (Booster.save_model("x.json")) or an own-format forest file."""
        return cls._from_call("tml_forest_load", _checks.path("path", path))

    feature_count = handle_property("tml_forest_feature_count")
    tree_count = handle_property("tml_forest_tree_count")

    def predict(self, X):
        """Raw margin (no sigmoid), float32 (n_rows,), for X of shape
        (n_rows, feature_count). X may have any real dtype (converted to
        float32) and any memory order: a float32 view is passed with its own
        strides, not copied; the result is identical either way."""
        rows = _checks.real_array("X", X, 2, contiguous=False)
        if rows.shape[1] != self.feature_count:
            raise ValueError(f"X has {rows.shape[1]} columns, the forest reads {self.feature_count}")
        strides = rows.strides
        if min(strides) < 0 or any(stride % _FLOAT32_BYTES for stride in strides):
            rows = np.ascontiguousarray(rows)  # the C side takes non-negative strides in whole floats
            strides = rows.strides
        row_stride, feature_stride = (stride // _FLOAT32_BYTES for stride in strides)
        out = np.empty(rows.shape[0], dtype=np.float32)
        _library.call("tml_forest_predict", self.handle, rows.shape[0], _checks.pointer(rows, ctypes.c_float),
                      row_stride, feature_stride, _checks.pointer(out, ctypes.c_float))
        return out
