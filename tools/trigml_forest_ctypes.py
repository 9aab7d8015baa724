"""ctypes binding for the forest part of libtrigml.so (tml_forest_*).

    from trigml_forest_ctypes import Forest, TrigMLError
    f = Forest("model.json")
    margin = f.predict(x)            # x: float32 array (rows, features), any layout

The library is found through $TRIGML_LIB, else .build/release/libtrigml.so
(then .build/debug) relative to the repository root.
"""
import ctypes
import os

import numpy as np

STATUS_NAMES = {
    0: "TML_OK", 1: "TML_ERR_INVALID_ARGUMENT", 2: "TML_ERR_IO", 3: "TML_ERR_FORMAT",
    4: "TML_ERR_SHAPE", 5: "TML_ERR_UNSUPPORTED", 6: "TML_ERR_OUT_OF_MEMORY", 7: "TML_ERR_INTERNAL",
}
TML_OK, TML_ERR_INVALID_ARGUMENT, TML_ERR_IO, TML_ERR_FORMAT = 0, 1, 2, 3
TML_ERR_SHAPE, TML_ERR_UNSUPPORTED = 4, 5

# One rule for finding the library, shared by every binding ($TRIGML_LIB,
# else the release build): trigml_ctypes.library_path.
from trigml_ctypes import declare, library_path  # noqa: E402


_lib = None


def lib():
    global _lib
    if _lib is None:
        L = ctypes.CDLL(str(library_path()))
        P = ctypes.c_void_p
        declare(L, {
            "tml_last_error": (ctypes.c_char_p, []),
            "tml_forest_load": (ctypes.c_int32, [ctypes.c_char_p, ctypes.POINTER(P)]),
            "tml_forest_free": (None, [P]),
            "tml_forest_feature_count": (ctypes.c_int32, [P]),
            "tml_forest_tree_count": (ctypes.c_int32, [P]),
            "tml_forest_predict": (ctypes.c_int32, [P, ctypes.c_uint64, P, ctypes.c_uint64, ctypes.c_uint64, P]),
        })
        _lib = L
    return _lib


class TrigMLError(Exception):
    def __init__(self, status, message):
        super().__init__(f"{STATUS_NAMES.get(status, status)}: {message}")
        self.status = status
        self.message = message


def _check(status):
    if status != TML_OK:
        raise TrigMLError(status, lib().tml_last_error().decode("utf-8", "replace"))


class Forest:
    def __init__(self, path):
        handle = ctypes.c_void_p()
        _check(lib().tml_forest_load(os.fsencode(path), ctypes.byref(handle)))
        self._handle = handle

    def close(self):
        if self._handle:
            lib().tml_forest_free(self._handle)
            self._handle = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    @property
    def feature_count(self):
        return lib().tml_forest_feature_count(self._handle)

    @property
    def tree_count(self):
        return lib().tml_forest_tree_count(self._handle)

    def predict_raw(self, n_rows, x, row_stride, feature_stride, out):
        """Direct call; x and out are numpy float32 arrays (or None)."""
        xp = None if x is None else x.ctypes.data
        op = None if out is None else out.ctypes.data
        _check(lib().tml_forest_predict(self._handle, n_rows, xp, row_stride, feature_stride, op))
        return out

    def predict(self, x):
        """Raw margin for a 2-D float32 array (rows, features). A C-ordered
        array is passed row-major, a Fortran-ordered one as SoA columns; any
        other strided view is passed with its own strides."""
        x = np.asarray(x)
        if x.dtype != np.float32 or x.ndim != 2:
            raise TypeError("x must be a 2-D float32 array")
        if x.shape[1] != self.feature_count:
            raise ValueError(f"x has {x.shape[1]} columns, the forest needs {self.feature_count}")
        rs, fs = (s // 4 for s in x.strides)
        if min(x.strides) < 0 or any(s % 4 for s in x.strides):
            x = np.ascontiguousarray(x)
            rs, fs = x.shape[1], 1
        out = np.empty(x.shape[0], dtype=np.float32)
        self.predict_raw(x.shape[0], x, rs, fs, out)
        return out
