"""LUT entry points on bad input: a status and a message, never a crash."""
import ctypes
import json

import numpy as np
import pytest

import lut_reference as ref
from trigml import Forest, LUTScheme, PtConversion, TrigMLError, evaluate_lut, generate_lut, pt_conversion
from trigml._library import library as lib

P = ctypes.c_void_p
INVALID, IO, FORMAT, SHAPE = 1, 2, 3, 4


def status_of(fn, *a):
    with pytest.raises(TrigMLError) as e:
        fn(*a)
    assert e.value.message
    return e.value.status


def test_unknown_presets_and_null():
    assert status_of(LUTScheme.preset, "emtf2017-mode8") == INVALID
    assert status_of(LUTScheme.preset, "nope") == INVALID
    assert status_of(pt_conversion, "emtf2099") == INVALID
    L = lib()
    assert L.tml_lut_scheme_preset(None, ctypes.byref(P())) == INVALID
    assert L.tml_lut_scheme_preset(b"emtf2017-mode15", None) == INVALID
    assert L.tml_pt_conversion_preset(b"emtf2017", None) == INVALID
    assert L.tml_lut_scheme_feature_count(None) == -1
    assert L.tml_lut_scheme_first_address(None) == 0
    assert L.tml_lut_scheme_address_count(None) == 0
    L.tml_lut_scheme_free(None)


def test_mismatched_feature_counts():
    s = LUTScheme.preset("emtf2017-mode15")
    f = Forest.load(ref.golden_forest_path(12))
    assert status_of(generate_lut, s, f, pt_conversion("emtf2017"), s.first_address, 1 << 16) == SHAPE
    assert status_of(evaluate_lut, s, f, pt_conversion("emtf2017"), [s.first_address]) == SHAPE


def test_ranges_outside_the_scheme():
    s = LUTScheme.preset("emtf2017-mode7")
    f = Forest.load(ref.golden_forest_path(10))
    c = pt_conversion("emtf2017")
    assert status_of(generate_lut, s, f, c, s.first_address - 1, 2) == INVALID
    assert status_of(generate_lut, s, f, c, s.first_address + s.address_count - 1, 2) == INVALID
    L = lib()
    out = np.zeros(4, dtype=np.uint16)
    # count whose end overflows 64 bits, and a huge count
    assert L.tml_lut_generate(s.handle, f._handle, ctypes.byref(c), 2**64 - 2, 4, out.ctypes.data, 1) == INVALID
    assert L.tml_lut_generate(s.handle, f._handle, ctypes.byref(c), s.first_address, 2**63, out.ctypes.data, 1) == INVALID
    assert L.tml_lut_generate(s.handle, f._handle, ctypes.byref(c), s.first_address, 4, None, 1) == INVALID
    assert L.tml_lut_generate(s.handle, f._handle, ctypes.byref(c), s.first_address, 4, out.ctypes.data, -1) == INVALID
    assert L.tml_lut_generate(s.handle, f._handle, ctypes.byref(c), s.first_address, 0, None, 1) == 0
    assert status_of(evaluate_lut, s, f, c, [s.first_address - 1]) == INVALID
    assert status_of(s.decode, [0]) == INVALID
    # wrong handle kinds
    assert L.tml_lut_generate(f._handle, s.handle, ctypes.byref(c), s.first_address, 4, out.ctypes.data, 1) == INVALID
    assert L.tml_lut_generate(s.handle, f._handle, None, s.first_address, 4, out.ctypes.data, 1) == INVALID


def test_bad_hand_filled_conversion():
    s = LUTScheme.preset("emtf2017-mode7")
    f = Forest.load(ref.golden_forest_path(10))
    for field, value in (("target", 7), ("scale_slope", float("nan")), ("word_offset", float("inf")), ("word_max", 70000)):
        c = pt_conversion("emtf2017")
        setattr(c, field, value)
        assert status_of(generate_lut, s, f, c, s.first_address, 16) == INVALID
    # a hand-filled valid one works
    c = PtConversion(0, 0.001, 1.0, 0.0, 20.0, 1.0, 0.0, 255)
    assert generate_lut(s, f, c, s.first_address, 16).max() <= 255


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_malformed_scheme_files(tmp_path):
    good = {"format": "trigml.lut-scheme", "format_version": 1, "name": "t", "first_address": 0, "address_bits": 4,
            "fields": [{"name": "a", "offset": 0, "width": 2}, {"name": "b", "offset": 2, "width": 2, "linear": {"scale": 2, "offset": 1}}],
            "values": [{"name": "ab", "op": "add", "args": ["a", "b", 0.5]}], "inputs": ["a", "b", "ab"]}
    s = LUTScheme.load(write(tmp_path, "good.json", json.dumps(good)))
    assert s.feature_count == 3 and s.address_count == 16
    assert np.array_equal(s.decode([5]), np.array([[1, 3, 4.5]], dtype=np.float32))
    assert status_of(LUTScheme.load, str(tmp_path / "missing.json")) == IO
    assert status_of(LUTScheme.load, write(tmp_path, "trunc.json", json.dumps(good)[:50])) == FORMAT
    variants = [
        ("fields", [{"name": "a", "offset": 0, "width": 2, "table": [1, 2, 3]}]),             # table length
        ("fields", [{"name": "a", "offset": 3, "width": 2}]),                                 # outside the bits
        ("fields", [{"name": "a", "offset": 0, "width": 2}, {"name": "b", "offset": 1, "width": 2}]),  # overlap
        ("values", [{"name": "x", "op": "pow", "args": ["a"]}]),                              # unknown op
        ("values", [{"name": "x", "op": "sub", "args": ["a"]}]),                              # arity
        ("values", [{"name": "x", "op": "add", "args": ["later"]}]),                          # unknown name
        ("inputs", []),                                                                       # no inputs
        ("inputs", ["zz"]),
        ("address_bits", 99),
        ("first_address", 3),                                                                 # not aligned
        ("format_version", 2),
    ]
    for key, value in variants:
        doc = dict(good)
        doc[key] = value
        st = status_of(LUTScheme.load, write(tmp_path, "bad.json", json.dumps(doc)))
        assert st in (FORMAT, SHAPE, INVALID, 5), (key, value, st)


def test_nan_and_infinite_leaves_are_refused(tmp_path):
    doc = {"format": "trigml.forest", "format_version": 1, "feature_count": 10,
           "trees": [{"left": [1, -1, -1], "right": [2, -1, -1], "feature": [0, 0, 0],
                      "threshold": [3.5, 0, 0], "value": [0, 1e999, 0.1]}]}
    p = write(tmp_path, "inf.json", json.dumps(doc).replace("Infinity", "1e999"))
    with pytest.raises(TrigMLError) as e:
        Forest.load(p)
    assert e.value.status == FORMAT


def test_decode_null_pointers():
    s = LUTScheme.preset("emtf2017-mode15")
    L = lib()
    out = np.zeros(20, dtype=np.float32)
    assert L.tml_lut_decode(s.handle, 1, None, out.ctypes.data) == INVALID
    a = np.array([s.first_address], dtype=np.uint64)
    assert L.tml_lut_decode(s.handle, 1, a.ctypes.data, None) == INVALID
    assert L.tml_lut_decode(s.handle, 2**62, a.ctypes.data, out.ctypes.data) == INVALID
    assert L.tml_lut_decode(None, 1, a.ctypes.data, out.ctypes.data) == INVALID
    assert L.tml_lut_decode(s.handle, 0, None, None) == 0


def test_extreme_leaves_do_not_trap(tmp_path):
    """Leaves near the double range (the fixed-point window then quantizes)
    and tiny ones: a word for every address, never a crash."""
    for values in ([1e308, -1e308, 1.5e308], [1e-300, 3e-310, -2e-305], [1e308, 1e-300, 0.0]):
        trees = [{"left": [1, -1, -1], "right": [2, -1, -1], "feature": [0, 0, 0],
                  "threshold": [3.5, 0, 0], "value": [0.0, values[k % 3], values[(k + 1) % 3]]} for k in range(5)]
        doc = {"format": "trigml.forest", "format_version": 1, "feature_count": 9, "trees": trees}
        p = write(tmp_path, "extreme.json", json.dumps(doc))
        s = LUTScheme.preset("emtf2017-mode3")
        f = Forest.load(p)
        for conv in ("emtf2017", "emtf2022"):
            w = generate_lut(s, f, pt_conversion(conv), s.first_address, 1 << 16)
            d, m = evaluate_lut(s, f, pt_conversion(conv), np.arange(s.first_address, s.first_address + (1 << 16), dtype=np.uint64))
            assert np.array_equal(w, d)
