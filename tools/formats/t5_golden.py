"""Read and write T5 golden vectors (format in docs/formats/t5_events.md).

Version 1 ("TMLT5GV1"): one file per sigmoid model and event file; per event
the network inputs, the score and the pass flag of every T5 candidate, as
the numpy reference (tools/reference/t5_reference.py) computes them.

Version 2 ("TMLT5GV2"), for format-version-2 models
(tools/reference/t5_v2_reference.py): a header of input, class, embedding
and working-point counts, then per event the inputs before standardisation,
the score (none for an embedding model), the class probabilities, the pass
flag of every working point (candidate-major) and the embedding.
"""
import struct

import numpy as np

MAGIC = b"TMLT5GV1"
MAGIC_V2 = b"TMLT5GV2"


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


def _v2_shapes(n_t5, counts):
    """(name, dtype, shape) of one event's arrays in file order."""
    input_count, class_count, embedding_dim, wp_count = counts
    score_rows = 0 if embedding_dim else n_t5
    return (("features", "<f4", (n_t5, input_count)), ("score", "<f4", (score_rows,)),
            ("probabilities", "<f4", (n_t5, class_count)), ("pass", np.uint8, (n_t5, wp_count)),
            ("embedding", "<f4", (n_t5, embedding_dim)))


def encode_golden_v2(input_count, class_count, embedding_dim, working_point_count, events):
    """events: list of dicts with features, score, probabilities, pass, embedding
    (shapes as in _v2_shapes; an embedding model has no score) -> bytes."""
    counts = (input_count, class_count, embedding_dim, working_point_count)
    parts = [MAGIC_V2, struct.pack("<IIIII", *counts, len(events))]
    for index, event in enumerate(events):
        n_t5 = np.shape(event["features"])[0]
        parts.append(struct.pack("<Q", n_t5))
        for name, dtype, shape in _v2_shapes(n_t5, counts):
            a = np.ascontiguousarray(event[name], dtype=dtype)
            if a.shape != shape:
                raise ValueError(f"event {index}: {name} shape {a.shape}, expected {shape}")
            parts.append(a.tobytes())
    return b"".join(parts)


def write_golden_v2(path, *counts_and_events):
    with open(path, "wb") as f:
        f.write(encode_golden_v2(*counts_and_events))


class _Cursor:
    def __init__(self, path, data, pos):
        self.path, self.data, self.pos = path, data, pos

    def take(self, dtype, count):
        dtype = np.dtype(dtype)
        end = self.pos + dtype.itemsize * count
        if end > len(self.data):
            raise ValueError(f"{self.path}: truncated at byte {self.pos}")
        a = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos).copy()
        self.pos = end
        return a

    def finish(self):
        if self.pos != len(self.data):
            raise ValueError(f"{self.path}: {len(self.data) - self.pos} trailing bytes")


def _open(path, magic):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != magic:
        raise ValueError(f"{path}: not a {magic.decode()} golden file (magic {data[:8]!r})")
    return data


def read_golden(path):
    """Returns (input_count, [(features float32 [n_t5, input_count], score float32, pass uint8)])."""
    data = _open(path, MAGIC)
    input_count, n_events = struct.unpack_from("<II", data, 8)
    cursor, events = _Cursor(path, data, 16), []
    for _ in range(n_events):
        n_t5 = int(cursor.take("<u8", 1)[0])
        features = cursor.take("<f4", n_t5 * input_count).reshape(n_t5, input_count)
        events.append((features, cursor.take("<f4", n_t5), cursor.take(np.uint8, n_t5)))
    cursor.finish()
    return input_count, events


def read_golden_v2(path):
    """Returns ((input_count, class_count, embedding_dim, working_point_count), [event dicts])."""
    data = _open(path, MAGIC_V2)
    *counts, n_events = struct.unpack_from("<IIIII", data, 8)
    cursor, events = _Cursor(path, data, 28), []
    for _ in range(n_events):
        n_t5 = int(cursor.take("<u8", 1)[0])
        events.append({name: cursor.take(dtype, int(np.prod(shape))).reshape(shape)
                       for name, dtype, shape in _v2_shapes(n_t5, counts)})
    cursor.finish()
    return tuple(counts), events
