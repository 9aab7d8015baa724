"""LST T5 (quintuplet) DNN scoring: tml_t5_model_*, tml_t5_features(_ex),
tml_t5_score(_ex), tml_t5_embed.

A batch is a mapping with the member names of struct tml_t5_batch
(include/trigml.h): md_x, md_y, md_z, md_r, md_eta, md_phi (n_md floats),
md_layer (n_md integers 1-11, optional), t3_md (n_t3 x 3 MD indices),
t3_radius (n_t3 floats), t5_t3 (n_t5 x 2 T3 indices). n_md, n_t3, n_t5 may
be given and must then equal the array lengths. Other entries (truth
columns of an event file, say) are ignored.

Host columns for version-2 models (struct tml_t5_columns) are a mapping
{"md": (n_md, k), "t3": (n_t3, k), "t5": (n_t5, k)} of 2-D real arrays; any
key may be left out, no other key is allowed.
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


COLUMN_TABLES = (("md", "n_md"), ("t3", "n_t3"), ("t5", "n_t5"))


class T5Columns:
    """A checked tml_t5_columns over contiguous float32 copies of a columns
    mapping (kept alive by this object), for the batch `checked`."""

    def __init__(self, columns, checked):
        if not isinstance(columns, collections.abc.Mapping):
            raise TypeError(f"columns must be a mapping with keys 'md', 't3', 't5' of 2-D arrays, "
                            f"got {type(columns).__name__}")
        unknown = sorted(set(columns) - {table for table, _ in COLUMN_TABLES}, key=str)
        if unknown:
            raise ValueError(f"columns has unknown key {unknown[0]!r}; the tables are 'md', 't3' and 't5'")
        struct, self.arrays = _abi.TmlT5Columns(), {}
        for table, count_name in COLUMN_TABLES:
            if columns.get(table) is None:
                continue
            array = _checks.real_array(f"columns[{table!r}]", columns[table], 2)
            rows = getattr(checked.struct, count_name)
            if array.shape[0] != rows:
                raise ValueError(f"columns[{table!r}] has {array.shape[0]} rows but the batch has {count_name} = {rows}")
            if array.shape[1] > 0xFFFFFFFF:
                raise ValueError(f"columns[{table!r}] has more than 2^32 - 1 columns")
            setattr(struct, f"{table}_count", array.shape[1])
            setattr(struct, table, _checks.pointer(array, ctypes.c_float))
            self.arrays[table] = array
        self.struct = struct


def _columns_argument(columns, checked):
    """(keep-alive object, pointer argument) for a columns mapping or None."""
    if columns is None:
        return None, None
    held = T5Columns(columns, checked)
    return held, ctypes.byref(held.struct)


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

    input_count = handle_property("tml_t5_model_input_count",
                                  "Network inputs per candidate: the feature set's (23 for lst-v2, 38 for lst-v1) "
                                  "plus a version-2 model's extra inputs.")
    class_count = handle_property("tml_t5_model_class_count",
                                  "Probabilities per candidate: 1 (sigmoid), K (softmax), 0 (embedding model).")
    embedding_dim = handle_property("tml_t5_model_embedding_dim", "Embedding dimension, 0 unless an embedding model.")

    @property
    def working_point_names(self):
        """The names of the model's working points, in file order (a
        version-1 file's one working point is 'default')."""
        lib = _library.library()
        count = int(lib.tml_t5_model_working_point_count(self.handle))
        return tuple(lib.tml_t5_model_working_point_name(self.handle, index).decode() for index in range(count))

    def _working_point_index(self, working_point):
        names = self.working_point_names
        if isinstance(working_point, str):
            if working_point not in names:
                raise ValueError(f"working_point {working_point!r} is not one of the model's {names}")
            return names.index(working_point)
        index = _checks.integer("working_point", working_point, 0, 2**31 - 1)
        if index >= len(names):
            raise ValueError(f"working_point = {index} but the model has {len(names)} working points {names}")
        return index

    def features(self, batch, columns=None):
        """The exact network inputs, float32 (n_t5, input_count): the
        feature set's, then the extra inputs gathered from `columns`,
        before standardisation."""
        checked = T5Batch(batch)
        held, cols = _columns_argument(columns, checked)
        out = np.zeros((checked.n_t5, self.input_count), dtype=np.float32)
        _library.call("tml_t5_features_ex", self.handle, ctypes.byref(checked.struct), cols,
                      _checks.pointer(out, ctypes.c_float))
        del held
        return out

    def _score(self, batch, columns, working_point, probabilities):
        checked = T5Batch(batch)
        # An embedding model has no working point: the library refuses the call (TML_ERR_UNSUPPORTED).
        index = self._working_point_index(working_point) if self.class_count > 0 else 0
        held, cols = _columns_argument(columns, checked)
        score = np.zeros(checked.n_t5, dtype=np.float32)
        passed = np.zeros(checked.n_t5, dtype=np.bool_)  # one byte, 0/1: the C uint8 pass flags
        prob = np.zeros((checked.n_t5, max(self.class_count, 0)), dtype=np.float32) if probabilities else None
        _library.call("tml_t5_score_ex", self.handle, ctypes.byref(checked.struct), cols, index,
                      _checks.pointer(score, ctypes.c_float), _checks.pointer(passed, ctypes.c_uint8),
                      None if prob is None else _checks.pointer(prob, ctypes.c_float))
        del held
        return score, passed, prob

    def score(self, batch, columns=None, working_point=0):
        """(score, passed): the score float32 (n_t5,) (sigmoid output, or
        1 - P(class) / P(class) of a softmax model) and the decision of
        working point `working_point` (index or name), bool (n_t5,)."""
        score, passed, _ = self._score(batch, columns, working_point, False)
        return score, passed

    def probabilities(self, batch, columns=None):
        """Class probabilities float32 (n_t5, class_count): the softmax
        outputs (the sigmoid output for a one-class model)."""
        return self._score(batch, columns, 0, True)[2]

    def embed(self, batch, columns=None):
        """Embedding float32 (n_t5, embedding_dim) of an embedding model."""
        checked = T5Batch(batch)
        held, cols = _columns_argument(columns, checked)
        out = np.zeros((checked.n_t5, max(self.embedding_dim, 0)), dtype=np.float32)
        _library.call("tml_t5_embed", self.handle, ctypes.byref(checked.struct), cols,
                      _checks.pointer(out, ctypes.c_float))
        del held
        return out
