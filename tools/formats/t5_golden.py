"""Read and write T5 golden vectors ("TMLT5GV1", format in docs/formats/t5_events.md).

One golden file belongs to one model and one event file: per event the
network inputs, the score and the pass flag of every T5 candidate, as the
numpy reference (tools/reference/t5_reference.py) computes them.
"""
import struct

import numpy as np

MAGIC = b"TMLT5GV1"


def encode_golden(input_count, events):
    """events: list of (features float32 [n_t5, input_count], score, pass uint8) -> bytes."""
    parts = [MAGIC, struct.pack("<II", input_count, len(events))]
    for features, score, passed in events:
        features = np.ascontiguousarray(features, dtype="<f4")
        n_t5 = features.shape[0]
        if features.shape != (n_t5, input_count):
            raise ValueError(f"features shape {features.shape}, expected ({n_t5}, {input_count})")
        score = np.ascontiguousarray(score, dtype="<f4")  # the reference score (float32)
        passed = np.ascontiguousarray(passed, dtype=np.uint8)
        if score.shape != (n_t5,) or passed.shape != (n_t5,):
            raise ValueError("score and pass need one entry per candidate")
        parts += [struct.pack("<Q", n_t5), features.tobytes(), score.tobytes(), passed.tobytes()]
    return b"".join(parts)


def write_golden(path, input_count, events):
    with open(path, "wb") as f:
        f.write(encode_golden(input_count, events))


def read_golden(path):
    """Returns (input_count, [(features float32 [n_t5, input_count], score float32, pass uint8)])."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != MAGIC:
        raise ValueError(f"{path}: not a T5 golden file (magic {data[:8]!r})")
    input_count, n_events = struct.unpack_from("<II", data, 8)
    pos, events = 16, []

    def take(dtype, count):
        nonlocal pos
        dtype = np.dtype(dtype)
        end = pos + dtype.itemsize * count
        if end > len(data):
            raise ValueError(f"{path}: truncated at byte {pos}")
        a = np.frombuffer(data, dtype=dtype, count=count, offset=pos).copy()
        pos = end
        return a

    for _ in range(n_events):
        (n_t5,) = take("<u8", 1)
        n_t5 = int(n_t5)
        features = take("<f4", n_t5 * input_count).reshape(n_t5, input_count)
        events.append((features, take("<f4", n_t5), take(np.uint8, n_t5)))
    if pos != len(data):
        raise ValueError(f"{path}: {len(data) - pos} trailing bytes")
    return input_count, events
