"""ctypes binding of the T5 part of include/trigml.h.

The library is found from $TRIGML_LIB, else .build/release/libtrigml.so
(built by `swift build -c release -Xswiftc -static-stdlib`).
"""
import ctypes
import os
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
DEFAULT_LIB = ROOT / ".build" / "release" / "libtrigml.so"
TML_OK = 0


def library_path():
    return pathlib.Path(os.environ.get("TRIGML_LIB", DEFAULT_LIB))


class TmlT5Batch(ctypes.Structure):
    """struct tml_t5_batch, members in header order."""
    _fields_ = [
        ("n_md", ctypes.c_uint64),
        ("md_x", ctypes.POINTER(ctypes.c_float)),
        ("md_y", ctypes.POINTER(ctypes.c_float)),
        ("md_z", ctypes.POINTER(ctypes.c_float)),
        ("md_r", ctypes.POINTER(ctypes.c_float)),
        ("md_eta", ctypes.POINTER(ctypes.c_float)),
        ("md_phi", ctypes.POINTER(ctypes.c_float)),
        ("md_layer", ctypes.POINTER(ctypes.c_uint8)),
        ("n_t3", ctypes.c_uint64),
        ("t3_md", ctypes.POINTER(ctypes.c_uint32)),
        ("t3_radius", ctypes.POINTER(ctypes.c_float)),
        ("n_t5", ctypes.c_uint64),
        ("t5_t3", ctypes.POINTER(ctypes.c_uint32)),
    ]


class TrigMLError(RuntimeError):
    def __init__(self, call, status, message):
        super().__init__(f"{call} returned status {status}: {message}")
        self.status = status


def declare(lib, signatures):
    """Sets restype and argtypes of each entry point: {name: (restype, [argtypes])}."""
    for name, (restype, argtypes) in signatures.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return lib


class Library:
    def __init__(self, path=None):
        self.path = pathlib.Path(path) if path else library_path()
        lib = ctypes.CDLL(str(self.path))
        model_pp = ctypes.POINTER(ctypes.c_void_p)
        batch_p = ctypes.POINTER(TmlT5Batch)
        signatures = {
            "tml_abi_version": (ctypes.c_uint32, []),
            "tml_version": (ctypes.c_char_p, []),
            "tml_last_error": (ctypes.c_char_p, []),
            "tml_t5_model_default": (ctypes.c_int32, [model_pp]),
            "tml_t5_model_load": (ctypes.c_int32, [ctypes.c_char_p, model_pp]),
            "tml_t5_model_free": (None, [ctypes.c_void_p]),
            "tml_t5_model_input_count": (ctypes.c_int32, [ctypes.c_void_p]),
            "tml_t5_features": (ctypes.c_int32, [ctypes.c_void_p, batch_p, ctypes.POINTER(ctypes.c_float)]),
            "tml_t5_score": (ctypes.c_int32, [ctypes.c_void_p, batch_p, ctypes.POINTER(ctypes.c_float),
                                              ctypes.POINTER(ctypes.c_uint8)]),
        }
        declare(lib, signatures)
        self.lib = lib

    def last_error(self):
        return self.lib.tml_last_error().decode()

    def check(self, call, status):
        if status != TML_OK:
            raise TrigMLError(call, status, self.last_error())

    def default_model(self):
        handle = ctypes.c_void_p()
        self.check("tml_t5_model_default", self.lib.tml_t5_model_default(ctypes.byref(handle)))
        return T5Model(self, handle)

    def load_model(self, path):
        handle = ctypes.c_void_p()
        self.check("tml_t5_model_load", self.lib.tml_t5_model_load(str(path).encode(), ctypes.byref(handle)))
        return T5Model(self, handle)


class CBatch:
    """A tml_t5_batch pointing into contiguous copies of a batch dict's columns
    (kept alive by this object)."""

    _FLOAT_COLUMNS = ("md_x", "md_y", "md_z", "md_r", "md_eta", "md_phi")

    def __init__(self, batch):
        self.arrays = {name: np.ascontiguousarray(batch[name], dtype=np.float32)
                       for name in self._FLOAT_COLUMNS + ("t3_radius",)}
        self.arrays["t3_md"] = np.ascontiguousarray(batch["t3_md"], dtype=np.uint32)
        self.arrays["t5_t3"] = np.ascontiguousarray(batch["t5_t3"], dtype=np.uint32)
        layer = batch.get("md_layer")
        self.arrays["md_layer"] = None if layer is None else np.ascontiguousarray(layer, dtype=np.uint8)
        s = TmlT5Batch(n_md=int(batch["n_md"]), n_t3=int(batch["n_t3"]), n_t5=int(batch["n_t5"]))
        ctype = {np.float32: ctypes.c_float, np.uint32: ctypes.c_uint32, np.uint8: ctypes.c_uint8}
        for name, a in self.arrays.items():
            if a is not None:  # a NULL md_layer stays NULL
                setattr(s, name, a.ctypes.data_as(ctypes.POINTER(ctype[a.dtype.type])))
        self.struct = s
        self.n_t5 = s.n_t5


class T5Model:
    """An owned tml_t5_model handle; use as a context manager or call close()."""

    def __init__(self, library, handle):
        self.library, self.handle = library, handle

    def close(self):
        handle, self.handle = self.handle, None
        if handle:
            self.library.lib.tml_t5_model_free(handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    @property
    def input_count(self):
        return self.library.lib.tml_t5_model_input_count(self.handle)

    def features(self, batch):
        """float32 [n_t5, input_count]."""
        c = CBatch(batch)
        out = np.zeros((c.n_t5, self.input_count), dtype=np.float32)
        status = self.library.lib.tml_t5_features(self.handle, ctypes.byref(c.struct),
                                                  out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        self.library.check("tml_t5_features", status)
        return out

    def score(self, batch):
        """(score float32 [n_t5], pass uint8 [n_t5])."""
        c = CBatch(batch)
        score = np.zeros(c.n_t5, dtype=np.float32)
        passed = np.zeros(c.n_t5, dtype=np.uint8)
        status = self.library.lib.tml_t5_score(self.handle, ctypes.byref(c.struct),
                                               score.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
                                               passed.ctypes.data_as(ctypes.POINTER(ctypes.c_uint8)))
        self.library.check("tml_t5_score", status)
        return score, passed
