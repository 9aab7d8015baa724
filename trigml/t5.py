"""LST T5 (quintuplet) DNN scoring: tml_t5_model_*, tml_t5_features, tml_t5_score.

A batch is a mapping with the member names of struct tml_t5_batch
(include/trigml.h): md_x, md_y, md_z, md_r, md_eta, md_phi (n_md floats),
md_layer (n_md integers 1-11, optional), t3_md (n_t3 x 3 MD indices),
t3_radius (n_t3 floats), t5_t3 (n_t5 x 2 T3 indices). n_md, n_t3, n_t5 may
be given and must then equal the array lengths. Other entries (truth
columns of an event file, say) are ignored.
"""
import collections.abc
import ctypes

import numpy as np

from . import _abi, _checks, _library
from ._handle import Handle, handle_property

MD_REAL_COLUMNS = ("md_x", "md_y", "md_z", "md_r", "md_eta", "md_phi")


def _required(batch, key):
    if key not in batch:
        raise ValueError(f"batch lacks {key!r}")
    return batch[key]


def _index_table(batch, key, columns):
    table = _checks.index_array(f"batch[{key!r}]", _required(batch, key), 2, np.uint32)
    if table.shape[1] != columns:
        raise ValueError(f"batch[{key!r}] must have shape (n, {columns}), got {table.shape}")
    return table


class T5Batch:
    """A checked tml_t5_batch over contiguous copies of a batch mapping's
    columns (kept alive by this object)."""

    def __init__(self, batch):
        if not isinstance(batch, collections.abc.Mapping):
            raise TypeError(f"batch must be a mapping of tml_t5_batch member names to arrays, "
                            f"got {type(batch).__name__}")
        columns = {key: _checks.real_array(f"batch[{key!r}]", _required(batch, key), 1)
                   for key in MD_REAL_COLUMNS}
        layer = batch.get("md_layer")
        columns["md_layer"] = None if layer is None else _checks.index_array("batch['md_layer']", layer, 1, np.uint8)
        n_md = _checks.same_length(**{f"batch[{key!r}]": columns[key] for key in MD_REAL_COLUMNS + ("md_layer",)})
        columns["t3_md"] = _index_table(batch, "t3_md", 3)
        columns["t3_radius"] = _checks.real_array("batch['t3_radius']", _required(batch, "t3_radius"), 1)
        n_t3 = _checks.same_length(**{"batch['t3_md']": columns["t3_md"], "batch['t3_radius']": columns["t3_radius"]})
        columns["t5_t3"] = _index_table(batch, "t5_t3", 2)
        n_t5 = len(columns["t5_t3"])
        for key, length in (("n_md", n_md), ("n_t3", n_t3), ("n_t5", n_t5)):
            given = batch.get(key)
            if given is not None and _checks.integer(f"batch[{key!r}]", given, 0, _checks.UINT64_MAX) != length:
                raise ValueError(f"batch[{key!r}] = {given} but the arrays hold {length}")
        struct = _abi.TmlT5Batch(n_md=n_md, n_t3=n_t3, n_t5=n_t5)
        ctype = {np.dtype(np.float32): ctypes.c_float, np.dtype(np.uint32): ctypes.c_uint32,
                 np.dtype(np.uint8): ctypes.c_uint8}
        for key, array in columns.items():
            if array is not None:  # a missing md_layer stays NULL
                setattr(struct, key, _checks.pointer(array, ctype[array.dtype]))
        self.columns, self.struct, self.n_t5 = columns, struct, n_t5


class T5Model(Handle):
    """A T5 network with its working point (tml_t5_model)."""
    _free = "tml_t5_model_free"

    @classmethod
    def default(cls):
        """The embedded default model: LST v2 features, 23 inputs."""
        return cls._from_call("tml_t5_model_default")

    @classmethod
    def load(cls, path):
        """A T5 model file (JSON, docs/formats)."""
        return cls._from_call("tml_t5_model_load", _checks.path("path", path))

    input_count = handle_property("tml_t5_model_input_count", "Network inputs per candidate: 23 for lst-v2, 38 for lst-v1.")

    def features(self, batch):
        """The exact network inputs, float32 (n_t5, input_count)."""
        checked = T5Batch(batch)
        out = np.zeros((checked.n_t5, self.input_count), dtype=np.float32)
        _library.call("tml_t5_features", self.handle, ctypes.byref(checked.struct),
                      _checks.pointer(out, ctypes.c_float))
        return out

    def score(self, batch):
        """(score, passed): sigmoid score float32 (n_t5,) and the working
        point's decision, bool (n_t5,)."""
        checked = T5Batch(batch)
        score = np.zeros(checked.n_t5, dtype=np.float32)
        passed = np.zeros(checked.n_t5, dtype=np.bool_)  # one byte, 0/1: the C uint8 pass flags
        _library.call("tml_t5_score", self.handle, ctypes.byref(checked.struct),
                      _checks.pointer(score, ctypes.c_float), _checks.pointer(passed, ctypes.c_uint8))
        return score, passed
