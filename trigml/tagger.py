"""Jet taggers (tml_tagger_*: an MLP over jet features or a Deep Sets
network over constituents) and the DL1-style log-ratio discriminant
(tml_discriminant_log_ratio)."""
import ctypes

import numpy as np

from . import _abi, _checks, _library
from ._handle import Handle, handle_property


class JetBatch:
    """A checked tml_jet_batch over contiguous copies (kept alive by this
    object). Constituents are CSR: jet j owns rows
    constituent_offsets[j] .. constituent_offsets[j+1]-1 of constituent_features."""

    def __init__(self, jet_features, constituent_offsets=None, constituent_features=None):
        self.jet_features = _checks.real_array("jet_features", jet_features, 2)
        n_jets, jet_feature_count = self.jet_features.shape
        struct = _abi.TmlJetBatch(n_jets=n_jets, jet_feature_count=jet_feature_count,
                                  jet_features=_checks.pointer(self.jet_features, ctypes.c_float))
        if (constituent_offsets is None) != (constituent_features is None):
            given, missing = (("constituent_offsets", "constituent_features") if constituent_features is None
                              else ("constituent_features", "constituent_offsets"))
            raise ValueError(f"{given} is given without {missing}")
        self.constituent_offsets = self.constituent_features = None
        if constituent_offsets is not None:
            self.constituent_offsets = _checks.index_array("constituent_offsets", constituent_offsets, 1, np.uint64)
            if len(self.constituent_offsets) != n_jets + 1:
                raise ValueError(f"constituent_offsets has {len(self.constituent_offsets)} entries; "
                                 f"{n_jets} jets need {n_jets + 1}")
            self.constituent_features = _checks.real_array("constituent_features", constituent_features, 2)
            struct.constituent_offsets = _checks.pointer(self.constituent_offsets, ctypes.c_uint64)
            struct.n_constituents, struct.constituent_feature_count = self.constituent_features.shape
            struct.constituent_features = _checks.pointer(self.constituent_features, ctypes.c_float)
        self.struct, self.n_jets = struct, n_jets


class Tagger(Handle):
    """A decorrelated jet tagger network (tml_tagger)."""
    _free = "tml_tagger_free"

    @classmethod
    def load(cls, path):
        """A tagger model file (JSON, docs/formats)."""
        return cls._from_call("tml_tagger_load", _checks.path("path", path))

    output_count = handle_property("tml_tagger_output_count", "1 for a sigmoid tagger, the class count for softmax.")
    jet_feature_count = handle_property("tml_tagger_jet_feature_count")
    constituent_feature_count = handle_property("tml_tagger_constituent_feature_count", "0 for an MLP.")

    def score(self, jet_features, constituent_offsets=None, constituent_features=None):
        """Probabilities, float32 (n_jets, output_count). jet_features is
        (n_jets, jet_feature_count); a Deep Sets tagger also needs
        constituent_offsets (n_jets + 1,) and constituent_features
        (n_constituents, constituent_feature_count)."""
        batch = JetBatch(jet_features, constituent_offsets, constituent_features)
        if batch.jet_features.shape[1] != self.jet_feature_count:
            raise ValueError(f"jet_features has {batch.jet_features.shape[1]} columns, "
                             f"the tagger reads {self.jet_feature_count}")
        if self.constituent_feature_count > 0:
            if batch.constituent_features is None:
                raise ValueError("constituent_offsets and constituent_features are required by a Deep Sets tagger")
            if batch.constituent_features.shape[1] != self.constituent_feature_count:
                raise ValueError(f"constituent_features has {batch.constituent_features.shape[1]} columns, "
                                 f"the tagger reads {self.constituent_feature_count}")
        return self.score_batch(batch)

    def score_batch(self, batch):
        """Scores a JetBatch as it is, leaving every shape check to the library."""
        out = np.empty((batch.n_jets, self.output_count), dtype=np.float32)
        _library.call("tml_tagger_score", self.handle, ctypes.byref(batch.struct), _checks.pointer(out, ctypes.c_float))
        return out


def log_ratio_discriminant(prob, signal_class, background_fractions):
    """D = ln((p_sig + 1e-10) / (sum_{k != sig} f_k p_k + 1e-10)) per row of
    prob (n, n_classes), float32 (n,); background_fractions (n_classes,) is
    indexed by class (the signal class's entry is ignored)."""
    prob = _checks.real_array("prob", prob, 2)
    n_classes = prob.shape[1]
    signal_class = _checks.integer("signal_class", signal_class, -2**31, _checks.INT32_MAX)  # range: the library's check
    fractions = _checks.real_array("background_fractions", background_fractions, 1)
    if len(fractions) != n_classes:
        raise ValueError(f"background_fractions has {len(fractions)} entries but prob has {n_classes} classes")
    out = np.empty(prob.shape[0], dtype=np.float32)
    _library.call("tml_discriminant_log_ratio", prob.shape[0], n_classes, _checks.pointer(prob, ctypes.c_float),
                  signal_class, _checks.pointer(fractions, ctypes.c_float), _checks.pointer(out, ctypes.c_float))
    return out
