"""Expected DDT apply outputs of a committed map, from the numpy reference.

    python3 tools/taggers/make_ddt_golden.py    # writes Tests/golden/taggers/ddt_apply.bin

The map is Tests/golden/taggers/ddt_map_q05.json (a copy of the trained
models/taggers/ddt_raw_q05.json, so retraining does not move the golden).
The jets are fixed: a grid-free random sample of pT and rho = 2 ln(m/pT)
reaching past both axes of the map on each side, logit scores, then the
documented edge cases (NaN or infinite inputs, mass 0 and < 0, pT 0 and
< 0). The outputs come from tools/reference/ddt_reference.py (written from
the documented definition, never importing trigml); Tests/c/ddt_golden.c
requires tml_ddt_apply to agree within the tolerance of the Python parity
test (tools/tests/test_tagger_parity.py, 1e-6 absolute, NaN with NaN).
Deterministic: fixed seed (numpy PCG64), so reruns are byte-identical.

File layout (little-endian, no padding), "DDT apply" version 1:
    char[8]  magic "TMLDDTA1"
    u64      n_jets
    f32      score[n_jets], mass[n_jets], pt[n_jets]   inputs (GeV)
    f32      expected[n_jets]                          decorrelated score
"""
import pathlib
import struct
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tools/
import checkout_paths  # noqa: E402
import ddt_reference  # noqa: E402

GOLDEN = checkout_paths.ROOT / "Tests" / "golden" / "taggers"
MAP = GOLDEN / "ddt_map_q05.json"
MAGIC = b"TMLDDTA1"
N_SAMPLED = 2000

# (score, mass, pt): NaN / infinite inputs, mass 0 and < 0, pT 0 and < 0,
# and the corners of the map's axes.
EDGE_CASES = [
    (np.nan, 80.0, 500.0), (0.5, np.nan, 500.0), (0.5, 80.0, np.nan), (np.inf, 80.0, 500.0),
    (0.5, np.inf, 500.0), (0.5, 80.0, np.inf), (0.5, 0.0, 500.0), (0.5, -1.0, 500.0),
    (0.5, 80.0, 0.0), (0.5, 80.0, -300.0), (-2.0, 1e-30, 300.0), (3.0, 1000.0, 1000.0),
]


def jets(seed=20240611):
    rng = np.random.default_rng(seed)
    pt = rng.uniform(150.0, 1300.0, N_SAMPLED)
    rho = rng.uniform(-8.5, 1.0, N_SAMPLED)
    mass = pt * np.exp(rho / 2)
    score = rng.normal(scale=3.0, size=N_SAMPLED)
    edge = np.array(EDGE_CASES, np.float64)
    return (np.concatenate([score, edge[:, 0]]).astype(np.float32),
            np.concatenate([mass, edge[:, 1]]).astype(np.float32),
            np.concatenate([pt, edge[:, 2]]).astype(np.float32))


def main():
    values, cfg, _ = ddt_reference.read_map(MAP)
    score, mass, pt = jets()
    expected = ddt_reference.apply(values, cfg, score, mass, pt)
    out = GOLDEN / "ddt_apply.bin"
    with open(out, "wb") as f:
        f.write(MAGIC + struct.pack("<Q", score.size))
        for column in (score, mass, pt, expected):
            f.write(np.ascontiguousarray(column, "<f4").tobytes())
    print(f"{out.relative_to(checkout_paths.ROOT)}: {score.size} jets, {int(np.isnan(expected).sum())} NaN outputs")


if __name__ == "__main__":
    main()
