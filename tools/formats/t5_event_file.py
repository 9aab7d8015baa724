"""Read and write the T5 event file ("TMLT5EV1", format in docs/formats/t5_events.md).

A batch is a dict whose keys are the members of the C struct tml_t5_batch:

    n_md, md_x, md_y, md_z, md_r, md_eta, md_phi   float32 [n_md]
    md_layer                                       uint8   [n_md]
    n_t3, t3_md   uint32 [n_t3, 3], t3_radius      float32 [n_t3]
    n_t5, t5_t3   uint32 [n_t5, 2]

plus, when the file carries them:
- truth (flags bit 0): per-T5 t5_is_true (uint8), t5_sim_pt and t5_sim_eta (float32);
- host columns (flags bit 1): md_columns float32 [n_md, k_md], t3_columns
  [n_t3, k_t3], t5_columns [n_t5, k_t5] (the tml_t5_columns a host passes);
- class truth (flags bit 2, only with bit 0): t5_class (uint8: 0 fake,
  1 prompt, 2 displaced) and t5_sim_d0 (float32, cm, NaN for fakes).
A file written without the new bits is byte-identical to what this writer
wrote before they existed.
"""
import struct

import numpy as np

MAGIC = b"TMLT5EV1"
FLAG_TRUTH = 1
FLAG_HOST_COLUMNS = 2
FLAG_CLASS_TRUTH = 4
KNOWN_FLAGS = FLAG_TRUTH | FLAG_HOST_COLUMNS | FLAG_CLASS_TRUTH

MD_FLOAT_COLUMNS = ("md_x", "md_y", "md_z", "md_r", "md_eta", "md_phi")
TRUTH_COLUMNS = (("t5_is_true", np.uint8), ("t5_sim_pt", np.float32), ("t5_sim_eta", np.float32))
CLASS_TRUTH_COLUMNS = (("t5_class", np.uint8), ("t5_sim_d0", np.float32))
# (batch key, the object count it is per row of) in file order
HOST_COLUMNS = (("md_columns", "n_md"), ("t3_columns", "n_t3"), ("t5_columns", "n_t5"))


def _column(batch, name, dtype, shape):
    a = np.ascontiguousarray(batch[name], dtype=dtype)
    if a.shape != shape:
        raise ValueError(f"{name}: shape {a.shape}, expected {shape}")
    return a


def _host_column_counts(batches):
    """Columns per MD, T3 and T5 (the same in every event: one file header holds them)."""
    counts = None
    for i, b in enumerate(batches):
        shapes = [np.shape(b[key]) for key, _ in HOST_COLUMNS]
        if any(len(shape) != 2 for shape in shapes):
            raise ValueError(f"event {i}: host columns must be 2-D (rows, columns), got shapes {shapes}")
        mine = tuple(int(shape[1]) for shape in shapes)
        if counts is not None and mine != counts:
            raise ValueError(f"event {i}: host column counts {mine} differ from event 0's {counts}")
        counts = mine
    return counts or (0, 0, 0)


def write_events(path, batches, with_truth=False, with_host_columns=False, with_class_truth=False):
    """Write batches (list of batch dicts) as one event file, little-endian, no padding."""
    if with_class_truth and not with_truth:
        raise ValueError("with_class_truth needs with_truth (flags bit 2 only with bit 0)")
    flags = ((FLAG_TRUTH if with_truth else 0) | (FLAG_HOST_COLUMNS if with_host_columns else 0)
             | (FLAG_CLASS_TRUTH if with_class_truth else 0))
    counts = _host_column_counts(batches) if with_host_columns else None
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<II", len(batches), flags))
        if with_host_columns:
            f.write(struct.pack("<III", *counts))
        for b in batches:
            n_md, n_t3, n_t5 = int(b["n_md"]), int(b["n_t3"]), int(b["n_t5"])
            f.write(struct.pack("<QQQ", n_md, n_t3, n_t5))
            for name in MD_FLOAT_COLUMNS:
                f.write(_column(b, name, "<f4", (n_md,)).tobytes())
            f.write(_column(b, "md_layer", np.uint8, (n_md,)).tobytes())
            f.write(_column(b, "t3_md", "<u4", (n_t3, 3)).tobytes())
            f.write(_column(b, "t3_radius", "<f4", (n_t3,)).tobytes())
            f.write(_column(b, "t5_t3", "<u4", (n_t5, 2)).tobytes())
            if with_host_columns:
                sizes = {"n_md": n_md, "n_t3": n_t3, "n_t5": n_t5}
                for (name, n), k in zip(HOST_COLUMNS, counts):
                    f.write(_column(b, name, "<f4", (sizes[n], k)).tobytes())
            if with_truth:
                for name, dtype in TRUTH_COLUMNS:
                    f.write(_column(b, name, np.dtype(dtype).newbyteorder("<"), (n_t5,)).tobytes())
            if with_class_truth:
                for name, dtype in CLASS_TRUTH_COLUMNS:
                    f.write(_column(b, name, np.dtype(dtype).newbyteorder("<"), (n_t5,)).tobytes())


class _Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, dtype, count):
        dtype = np.dtype(dtype)
        end = self.pos + dtype.itemsize * count
        if end > len(self.data):
            raise ValueError(f"truncated event file at byte {self.pos}")
        a = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos = end
        return a.astype(dtype.newbyteorder("="))  # native, writable copy

    def unpack(self, fmt):
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise ValueError(f"truncated event file at byte {self.pos}")
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values


def read_events(path):
    """Return the list of batch dicts stored in an event file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != MAGIC:
        raise ValueError(f"{path}: not a T5 event file (magic {data[:8]!r})")
    r = _Reader(data)
    r.pos = 8
    n_events, flags = r.unpack("<II")
    if flags & ~KNOWN_FLAGS:
        raise ValueError(f"{path}: unknown flags bits 0x{flags & ~KNOWN_FLAGS:x} (known: 0x{KNOWN_FLAGS:x})")
    if flags & FLAG_CLASS_TRUTH and not flags & FLAG_TRUTH:
        raise ValueError(f"{path}: flags bit 2 (class truth) needs bit 0 (truth)")
    counts = r.unpack("<III") if flags & FLAG_HOST_COLUMNS else None
    batches = []
    for _ in range(n_events):
        n_md, n_t3, n_t5 = r.unpack("<QQQ")
        b = {"n_md": n_md}
        for name in MD_FLOAT_COLUMNS:
            b[name] = r.take("<f4", n_md)
        b["md_layer"] = r.take(np.uint8, n_md)
        b["n_t3"] = n_t3
        b["t3_md"] = r.take("<u4", 3 * n_t3).reshape(n_t3, 3)
        b["t3_radius"] = r.take("<f4", n_t3)
        b["n_t5"] = n_t5
        b["t5_t3"] = r.take("<u4", 2 * n_t5).reshape(n_t5, 2)
        if counts is not None:
            sizes = {"n_md": n_md, "n_t3": n_t3, "n_t5": n_t5}
            for (name, n), k in zip(HOST_COLUMNS, counts):
                b[name] = r.take("<f4", sizes[n] * k).reshape(sizes[n], k)
        if flags & FLAG_TRUTH:
            for name, dtype in TRUTH_COLUMNS:
                b[name] = r.take(np.dtype(dtype).newbyteorder("<"), n_t5)
        if flags & FLAG_CLASS_TRUTH:
            for name, dtype in CLASS_TRUTH_COLUMNS:
                b[name] = r.take(np.dtype(dtype).newbyteorder("<"), n_t5)
        batches.append(b)
    if r.pos != len(data):
        raise ValueError(f"{path}: {len(data) - r.pos} trailing bytes after {n_events} events")
    return batches
