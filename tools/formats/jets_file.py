"""The TrigML jet file (binary, little-endian; docs/formats/jet_file.md:
what tools/ writes and C hosts read to fill a tml_jet_batch.

    magic                      8 bytes "TMLJETS1"
    n_jets, n_constituents     u64 each
    jet_feature_count,
    constituent_feature_count  u32 each
    pt, mass, weight           f32[n_jets] each   (GeV; mass is the groomed mass)
    label                      u8[n_jets]         (1 = signal, 0 = background)
    jet_features               f32[n_jets * jet_feature_count], row-major
    constituent_offsets        u64[n_jets + 1], CSR, offsets[0] = 0
    constituent_features       f32[n_constituents * constituent_feature_count], row-major
"""
import numpy as np

MAGIC = b"TMLJETS1"


def write_jets(path, jets):
    n = len(jets["pt"])
    jf = np.ascontiguousarray(jets["jet_features"], "<f4").reshape(n, -1)
    cf = np.ascontiguousarray(jets["constituent_features"], "<f4")
    cf = cf.reshape(len(cf), -1) if cf.size else cf.reshape(0, 0 if cf.ndim < 2 else cf.shape[1])
    off = np.ascontiguousarray(jets["offsets"], "<u8")
    assert off.shape == (n + 1,) and off[0] == 0 and int(off[-1]) == cf.shape[0]
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(np.array([n, cf.shape[0]], "<u8").tobytes())
        f.write(np.array([jf.shape[1], cf.shape[1]], "<u4").tobytes())
        for key in ("pt", "mass", "weight"):
            f.write(np.ascontiguousarray(jets[key], "<f4").tobytes())
        f.write(np.ascontiguousarray(jets["label"], "u1").tobytes())
        f.write(jf.tobytes())
        f.write(off.tobytes())
        f.write(cf.tobytes())


def read_jets(path):
    data = open(path, "rb").read()
    if data[:8] != MAGIC:
        raise ValueError(f"{path}: not a TrigML jet file")
    n, nc = np.frombuffer(data, "<u8", 2, 8)
    j, c = np.frombuffer(data, "<u4", 2, 24)
    n, nc, j, c = int(n), int(nc), int(j), int(c)
    pos = 32
    out = {}

    def take(dtype, count):
        nonlocal pos
        a = np.frombuffer(data, dtype, count, pos)
        pos += a.nbytes
        return a.copy()
    for key in ("pt", "mass", "weight"):
        out[key] = take("<f4", n)
    out["label"] = take("u1", n)
    out["jet_features"] = take("<f4", n * j).reshape(n, j)
    out["offsets"] = take("<u8", n + 1)
    out["constituent_features"] = take("<f4", nc * c).reshape(nc, c)
    if pos != len(data):
        raise ValueError(f"{path}: {len(data) - pos} trailing bytes")
    return out
