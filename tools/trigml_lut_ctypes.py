"""ctypes binding for the LUT part of libtrigml.so (tml_lut_*, tml_pt_conversion_*).

    from trigml_lut_ctypes import Scheme, conversion_preset, generate, evaluate
    s = Scheme.preset("emtf2017-mode15")
    words = generate(s, forest, conversion_preset("emtf2017"), s.first, 1 << 20)
"""
import ctypes

import numpy as np

from trigml_ctypes import declare
from trigml_forest_ctypes import Forest, TrigMLError, lib as _forest_lib  # noqa: F401

P = ctypes.c_void_p


class PtConversion(ctypes.Structure):
    _fields_ = [("target", ctypes.c_int32), ("output_floor", ctypes.c_double),
                ("scale_numerator", ctypes.c_double), ("scale_slope", ctypes.c_double),
                ("scale_pt_cap", ctypes.c_double), ("word_per_gev", ctypes.c_double),
                ("word_offset", ctypes.c_double), ("word_max", ctypes.c_uint32)]


_lib = None


def lib():
    global _lib
    if _lib is None:
        L = _forest_lib()
        declare(L, {
            "tml_lut_scheme_preset": (ctypes.c_int32, [ctypes.c_char_p, ctypes.POINTER(P)]),
            "tml_lut_scheme_load": (ctypes.c_int32, [ctypes.c_char_p, ctypes.POINTER(P)]),
            "tml_lut_scheme_free": (None, [P]),
            "tml_lut_scheme_first_address": (ctypes.c_uint64, [P]),
            "tml_lut_scheme_address_count": (ctypes.c_uint64, [P]),
            "tml_lut_scheme_feature_count": (ctypes.c_int32, [P]),
            "tml_lut_decode": (ctypes.c_int32, [P, ctypes.c_uint64, P, P]),
            "tml_pt_conversion_preset": (ctypes.c_int32, [ctypes.c_char_p, ctypes.POINTER(PtConversion)]),
            "tml_lut_generate": (ctypes.c_int32, [P, P, ctypes.POINTER(PtConversion), ctypes.c_uint64, ctypes.c_uint64, P, ctypes.c_int32]),
            "tml_lut_evaluate": (ctypes.c_int32, [P, P, ctypes.POINTER(PtConversion), ctypes.c_uint64, P, P, P, ctypes.c_int32]),
        })
        _lib = L
    return _lib


def _check(status, what):
    if status != 0:
        raise TrigMLError(status, lib().tml_last_error().decode())


class Scheme:
    def __init__(self, handle):
        self.handle = handle

    @classmethod
    def preset(cls, name):
        h = P()
        _check(lib().tml_lut_scheme_preset(name.encode() if name is not None else None, ctypes.byref(h)), "preset")
        return cls(h)

    @classmethod
    def load(cls, path):
        h = P()
        _check(lib().tml_lut_scheme_load(path.encode(), ctypes.byref(h)), "load")
        return cls(h)

    def __del__(self):
        if getattr(self, "handle", None):
            lib().tml_lut_scheme_free(self.handle)
            self.handle = None

    @property
    def first(self):
        return lib().tml_lut_scheme_first_address(self.handle)

    @property
    def count(self):
        return lib().tml_lut_scheme_address_count(self.handle)

    @property
    def feature_count(self):
        return lib().tml_lut_scheme_feature_count(self.handle)

    def decode(self, addresses):
        a = np.ascontiguousarray(addresses, dtype=np.uint64)
        out = np.empty((a.size, self.feature_count), dtype=np.float32)
        _check(lib().tml_lut_decode(self.handle, a.size, a.ctypes.data, out.ctypes.data), "decode")
        return out


def conversion_preset(name):
    c = PtConversion()
    _check(lib().tml_pt_conversion_preset(name.encode(), ctypes.byref(c)), "conversion")
    return c


def generate(scheme, forest, conversion, first, count, threads=0):
    out = np.empty(int(count), dtype=np.uint16)
    _check(lib().tml_lut_generate(scheme.handle, forest._handle, ctypes.byref(conversion), first, count,
                                  out.ctypes.data, threads), "generate")
    return out


def evaluate(scheme, forest, conversion, addresses, threads=0):
    a = np.ascontiguousarray(addresses, dtype=np.uint64)
    words = np.empty(a.size, dtype=np.uint16)
    margins = np.empty(a.size, dtype=np.float32)
    _check(lib().tml_lut_evaluate(scheme.handle, forest._handle, ctypes.byref(conversion), a.size, a.ctypes.data,
                                  words.ctypes.data, margins.ctypes.data, threads), "evaluate")
    return words, margins
