"""EMTF-style pT lookup tables: address schemes (tml_lut_scheme_*), the
BDT-output-to-word conversion (tml_pt_conversion) and table generation
(tml_lut_generate, tml_lut_evaluate)."""
import ctypes

import numpy as np

from . import _abi, _checks, _library
from ._handle import Handle, handle_property
from .forest import Forest

PtConversion = _abi.TmlPtConversion  # struct tml_pt_conversion; fill by hand or take a preset


class LUTScheme(Handle):
    """An address scheme: integer address -> BDT inputs (tml_lut_scheme)."""
    _free = "tml_lut_scheme_free"

    @classmethod
    def preset(cls, name):
        """A CMS EMTF 2017 layout, e.g. "emtf2017-mode15"."""
        return cls._from_call("tml_lut_scheme_preset", _checks.text("name", name))

    @classmethod
    def load(cls, path):
        """A user scheme file (JSON, docs/formats)."""
        return cls._from_call("tml_lut_scheme_load", _checks.path("path", path))

    first_address = handle_property("tml_lut_scheme_first_address")
    address_count = handle_property("tml_lut_scheme_address_count")
    feature_count = handle_property("tml_lut_scheme_feature_count")

    @property
    def feature_names(self):
        """The BDT input names in the forest's input order."""
        lib = _library.library()
        return tuple(lib.tml_lut_scheme_feature_name(self.handle, index).decode()
                     for index in range(self.feature_count))

    def decode(self, addresses):
        """BDT inputs, float32 (n, feature_count), of a 1-D array of addresses."""
        addresses = _checks.index_array("addresses", addresses, 1, np.uint64)
        out = np.empty((addresses.size, self.feature_count), dtype=np.float32)
        _library.call("tml_lut_decode", self.handle, addresses.size, _checks.pointer(addresses, ctypes.c_uint64),
                      _checks.pointer(out, ctypes.c_float))
        return out


def pt_conversion(name):
    """A preset BDT-output-to-word conversion: "emtf2017" or "emtf2022"."""
    conversion = PtConversion()
    _library.call("tml_pt_conversion_preset", _checks.text("name", name), ctypes.byref(conversion))
    return conversion


def _table_inputs(scheme, forest, conversion, threads):
    _checks.instance("scheme", scheme, LUTScheme)
    _checks.instance("forest", forest, Forest)
    if isinstance(conversion, str):
        conversion = pt_conversion(conversion)
    _checks.instance("conversion", conversion, PtConversion)
    threads = _checks.integer("threads", threads, 0, _checks.INT32_MAX)
    return conversion, threads


def generate_lut(scheme, forest, conversion, first, count, threads=0):
    """The stored words of addresses [first, first + count), uint16 (count,).
    conversion is a PtConversion or a preset name; threads 0 = all cores."""
    conversion, threads = _table_inputs(scheme, forest, conversion, threads)
    first = _checks.integer("first", first, 0, _checks.UINT64_MAX)
    count = _checks.integer("count", count, 0, _checks.UINT64_MAX)
    # Whether [first, first + count) belongs to the scheme is the library's
    # check (TML_ERR_INVALID_ARGUMENT naming the range).
    out = np.empty(count, dtype=np.uint16)
    _library.call("tml_lut_generate", scheme.handle, forest.handle, ctypes.byref(conversion), first, count,
                  _checks.pointer(out, ctypes.c_uint16), threads)
    return out


def evaluate_lut(scheme, forest, conversion, addresses, threads=0):
    """(words uint16, margins float32) of a 1-D array of addresses in any
    order, one address at a time (tml_lut_evaluate)."""
    conversion, threads = _table_inputs(scheme, forest, conversion, threads)
    addresses = _checks.index_array("addresses", addresses, 1, np.uint64)
    words = np.empty(addresses.size, dtype=np.uint16)
    margins = np.empty(addresses.size, dtype=np.float32)
    _library.call("tml_lut_evaluate", scheme.handle, forest.handle, ctypes.byref(conversion), addresses.size,
                  _checks.pointer(addresses, ctypes.c_uint64), _checks.pointer(words, ctypes.c_uint16),
                  _checks.pointer(margins, ctypes.c_float), threads)
    return words, margins
