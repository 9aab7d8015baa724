"""Tests/golden/lut/golden_pairs.json as a small binary file for the C test.

    python3 tools/lut/lut_golden_pairs_bin.py    # writes Tests/golden/lut/golden_pairs.bin

golden_pairs.json holds address -> word pairs of the independent numpy
reference (tools/reference/lut_reference.py) per scheme preset and pT
conversion. This converter writes the same pairs, in the JSON's order, so
that Tests/c/lut_golden.c needs no JSON parser. Deterministic: the output
depends only on the JSON, so reruns are byte-identical.

File layout (little-endian, no padding), "LUT pairs" version 1:
    char[8]  magic "TMLLUTP1"
    u32      n_groups
    u32      reserved, 0
    n_groups times:
        char[32] scheme preset, NUL-padded ("emtf2017-mode15")
        char[32] forest file under Tests/golden/lut/, NUL-padded
        char[16] pT conversion preset, NUL-padded ("emtf2017")
        u64      n_pairs
        n_pairs times: u64 address, u32 word, u32 reserved 0
"""
import json
import pathlib
import struct
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: E402

LUT_DIR = checkout_paths.ROOT / "Tests" / "golden" / "lut"
MAGIC = b"TMLLUTP1"
NAME_WIDTHS = (32, 32, 16)


def padded(text, width):
    raw = text.encode("ascii")
    if len(raw) >= width:
        raise ValueError(f"{text!r} does not fit in {width} bytes with a NUL")
    return raw.ljust(width, b"\0")


def groups(doc):
    """(scheme, forest, conversion, pairs) in the JSON's order."""
    for scheme, preset in doc["presets"].items():
        for conversion, pairs in preset["pairs"].items():
            yield scheme, preset["forest"], conversion, pairs


def encode(doc):
    found = list(groups(doc))
    out = bytearray(MAGIC + struct.pack("<II", len(found), 0))
    for scheme, forest, conversion, pairs in found:
        for text, width in zip((scheme, forest, conversion), NAME_WIDTHS):
            out += padded(text, width)
        out += struct.pack("<Q", len(pairs))
        for address, word in pairs:
            out += struct.pack("<QII", address, word, 0)
    return bytes(out)


def main():
    doc = json.loads((LUT_DIR / "golden_pairs.json").read_text())
    data = encode(doc)
    out = LUT_DIR / "golden_pairs.bin"
    out.write_bytes(data)
    n_pairs = sum(len(p) for *_, p in groups(doc))
    print(f"{out.relative_to(checkout_paths.ROOT)}: {n_pairs} pairs in {len(list(groups(doc)))} groups, "
          f"{len(data)} bytes")


if __name__ == "__main__":
    main()
