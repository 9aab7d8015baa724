"""LUTScheme, pt_conversion, generate_lut: a mode-15 address decodes with
names, the table equals the one-address path, and every bad argument."""
import numpy as np
import pytest

import trigml
from bad_arguments import raises_naming
from conftest import GOLDEN

MODE15_NAMES_START = ("theta", "st1_ring2", "dphi12", "dphi23")


@pytest.fixture(scope="module")
def mode15():
    with trigml.LUTScheme.preset("emtf2017-mode15") as scheme:
        yield scheme


@pytest.fixture(scope="module")
def forest20():
    with trigml.Forest.load(GOLDEN / "lut" / "forest_20f.json") as forest:
        yield forest


def test_mode15_address_decodes_with_names(mode15):
    assert mode15.first_address == 1 << 29 and mode15.address_count == 1 << 29
    assert mode15.feature_count == 20
    names = mode15.feature_names
    assert len(names) == 20 and names[:4] == MODE15_NAMES_START and len(set(names)) == 20
    decoded = mode15.decode([mode15.first_address + 12345, mode15.first_address])
    assert decoded.shape == (2, 20) and decoded.dtype == np.float32 and np.isfinite(decoded).all()
    row = dict(zip(names, decoded[0]))
    assert row["dphi12"] == decoded[0, 2]


def test_generate_equals_the_one_address_path(mode15, forest20):
    conversion = trigml.pt_conversion("emtf2017")
    assert conversion.word_max == 511 and conversion.target == trigml.TML_PT_TARGET_INV_PT
    first = mode15.first_address + 4096
    words = trigml.generate_lut(mode15, forest20, conversion, first, 1000, threads=1)
    assert words.dtype == np.uint16 and words.shape == (1000,)
    direct, margins = trigml.evaluate_lut(mode15, forest20, "emtf2017", np.arange(first, first + 1000))
    assert np.array_equal(words, direct) and margins.dtype == np.float32
    assert np.array_equal(trigml.generate_lut(mode15, forest20, "emtf2017", first, 1000, threads=2), words)


def test_bad_arguments(mode15, forest20):
    conversion = trigml.pt_conversion("emtf2017")
    first = mode15.first_address
    raises_naming(ValueError, "addresses", mode15.decode, [[first]])            # 2-D
    raises_naming(TypeError, "addresses", mode15.decode, [float(first)])        # not integers
    raises_naming(ValueError, "addresses", mode15.decode, [-1])                 # would wrap
    raises_naming(TypeError, "name", trigml.LUTScheme.preset, None)
    raises_naming(TypeError, "name", trigml.pt_conversion, 2017)
    raises_naming(TypeError, "scheme", trigml.generate_lut, forest20, forest20, conversion, first, 4)
    raises_naming(TypeError, "forest", trigml.generate_lut, mode15, mode15, conversion, first, 4)
    raises_naming(TypeError, "conversion", trigml.generate_lut, mode15, forest20, 3, first, 4)
    raises_naming(ValueError, "first", trigml.generate_lut, mode15, forest20, conversion, -1, 4)
    raises_naming(TypeError, "count", trigml.generate_lut, mode15, forest20, conversion, first, 4.0)
    raises_naming(ValueError, "threads", trigml.generate_lut, mode15, forest20, conversion, first, 4, threads=-1)
    with pytest.raises(TypeError):
        trigml.generate_lut(mode15, forest20, conversion, first, 4, thread=1)
    with pytest.raises(trigml.TrigMLError) as info:  # outside the scheme: the library's range check
        trigml.generate_lut(mode15, forest20, conversion, first - 1, 4)
    assert info.value.status == trigml.TML_ERR_INVALID_ARGUMENT
