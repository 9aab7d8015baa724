"""ctypes binding of the decorrelated-tagger part of include/trigml.h
(tml_tagger_*, tml_discriminant_log_ratio, tml_ddt_*, tml_metric_r50_jsd).

The library is found from $TRIGML_LIB, else .build/release/libtrigml.so.
Arrays are passed as contiguous numpy copies of the documented dtypes.
"""
import ctypes
import pathlib

import numpy as np

from trigml_ctypes import DEFAULT_LIB, declare, library_path  # noqa: E402,F401  (one rule for finding the library)
TML_OK = 0
TML_ERR_INVALID_ARGUMENT, TML_ERR_IO, TML_ERR_FORMAT, TML_ERR_SHAPE, TML_ERR_UNSUPPORTED = 1, 2, 3, 4, 5
TML_DDT_HIGHER_PASSES, TML_DDT_LOWER_PASSES = 0, 1
TML_DDT_EMPTY_FILL, TML_DDT_EMPTY_FAIL = 0, 1
TML_DDT_SMOOTHING_NONE, TML_DDT_SMOOTHING_KNN = 0, 1

P_F32 = ctypes.POINTER(ctypes.c_float)
P_U8 = ctypes.POINTER(ctypes.c_uint8)
P_U64 = ctypes.POINTER(ctypes.c_uint64)
P_F64 = ctypes.POINTER(ctypes.c_double)
VP = ctypes.c_void_p


class TmlJetBatch(ctypes.Structure):
    """struct tml_jet_batch, members in header order."""
    _fields_ = [
        ("n_jets", ctypes.c_uint64),
        ("jet_feature_count", ctypes.c_uint64),
        ("jet_features", P_F32),
        ("constituent_offsets", P_U64),
        ("n_constituents", ctypes.c_uint64),
        ("constituent_feature_count", ctypes.c_uint64),
        ("constituent_features", P_F32),
    ]


class TmlDdtConfig(ctypes.Structure):
    """struct tml_ddt_config, members in header order."""
    _fields_ = [
        ("background_efficiency", ctypes.c_double),
        ("rho_min", ctypes.c_double),
        ("rho_max", ctypes.c_double),
        ("pt_min", ctypes.c_double),
        ("pt_max", ctypes.c_double),
        ("min_entries", ctypes.c_uint64),
        ("rho_bins", ctypes.c_int32),
        ("pt_bins", ctypes.c_int32),
        ("direction", ctypes.c_int32),
        ("empty_bins", ctypes.c_int32),
        ("smoothing", ctypes.c_int32),
        ("neighbours", ctypes.c_int32),
    ]

    def as_reference(self):
        """The dict form used by ddt_reference."""
        return {"background_efficiency": self.background_efficiency, "rho_min": self.rho_min,
                "rho_max": self.rho_max, "rho_bins": self.rho_bins, "pt_min": self.pt_min,
                "pt_max": self.pt_max, "pt_bins": self.pt_bins, "min_entries": self.min_entries,
                "direction": ["higher_passes", "lower_passes"][self.direction],
                "empty_bins": ["fill", "fail"][self.empty_bins],
                "smoothing": ["none", "knn"][self.smoothing], "neighbours": self.neighbours}


class TrigMLError(RuntimeError):
    def __init__(self, call, status, message):
        super().__init__(f"{call} returned status {status}: {message}")
        self.status = status
        self.message = message


def _ptr(a, ctype):
    return None if a is None else a.ctypes.data_as(ctypes.POINTER(ctype))


def _f32(a):
    return None if a is None else np.ascontiguousarray(a, dtype=np.float32)


class Library:
    def __init__(self, path=None):
        self.path = pathlib.Path(path) if path else library_path()
        lib = ctypes.CDLL(str(self.path))
        pp = ctypes.POINTER(VP)
        sig = {
            "tml_last_error": (ctypes.c_char_p, []),
            "tml_tagger_load": (ctypes.c_int32, [ctypes.c_char_p, pp]),
            "tml_tagger_free": (None, [VP]),
            "tml_tagger_output_count": (ctypes.c_int32, [VP]),
            "tml_tagger_jet_feature_count": (ctypes.c_int32, [VP]),
            "tml_tagger_constituent_feature_count": (ctypes.c_int32, [VP]),
            "tml_tagger_score": (ctypes.c_int32, [VP, ctypes.POINTER(TmlJetBatch), P_F32]),
            "tml_discriminant_log_ratio": (ctypes.c_int32, [ctypes.c_uint64, ctypes.c_int32, P_F32, ctypes.c_int32,
                                                            P_F32, P_F32]),
            "tml_ddt_config_init": (ctypes.c_int32, [ctypes.POINTER(TmlDdtConfig), ctypes.c_double]),
            "tml_ddt_build": (ctypes.c_int32, [ctypes.c_uint64, P_F32, P_F32, P_F32, P_F32,
                                               ctypes.POINTER(TmlDdtConfig), pp]),
            "tml_ddt_apply": (ctypes.c_int32, [VP, ctypes.c_uint64, P_F32, P_F32, P_F32, P_F32]),
            "tml_ddt_save": (ctypes.c_int32, [VP, ctypes.c_char_p]),
            "tml_ddt_load": (ctypes.c_int32, [ctypes.c_char_p, pp]),
            "tml_ddt_free": (None, [VP]),
            "tml_metric_r50_jsd": (ctypes.c_int32, [ctypes.c_uint64, P_F32, P_U8, P_F32, P_F32, P_F64, P_F64]),
        }
        declare(lib, sig)
        self.lib = lib

    def last_error(self):
        return self.lib.tml_last_error().decode()

    def check(self, call, status):
        if status != TML_OK:
            raise TrigMLError(call, status, self.last_error())

    # taggers
    def load_tagger(self, path):
        h = VP()
        self.check("tml_tagger_load", self.lib.tml_tagger_load(str(path).encode(), ctypes.byref(h)))
        return Tagger(self, h)

    # discriminant
    def log_ratio(self, prob, signal_class, fractions):
        prob = _f32(prob)
        n, k = prob.shape
        f = _f32(fractions)
        out = np.empty(n, np.float32)
        self.check("tml_discriminant_log_ratio", self.lib.tml_discriminant_log_ratio(
            n, k, _ptr(prob, ctypes.c_float), signal_class, _ptr(f, ctypes.c_float), _ptr(out, ctypes.c_float)))
        return out

    # DDT
    def ddt_config(self, q, **changes):
        cfg = TmlDdtConfig()
        self.check("tml_ddt_config_init", self.lib.tml_ddt_config_init(ctypes.byref(cfg), q))
        for key, value in changes.items():
            setattr(cfg, key, value)
        return cfg

    def ddt_build(self, score, mass, pt, weight, cfg):
        score, mass, pt, weight = _f32(score), _f32(mass), _f32(pt), _f32(weight)
        h = VP()
        self.check("tml_ddt_build", self.lib.tml_ddt_build(
            len(score), _ptr(score, ctypes.c_float), _ptr(mass, ctypes.c_float), _ptr(pt, ctypes.c_float),
            _ptr(weight, ctypes.c_float), ctypes.byref(cfg), ctypes.byref(h)))
        return DDTMap(self, h)

    def ddt_load(self, path):
        h = VP()
        self.check("tml_ddt_load", self.lib.tml_ddt_load(str(path).encode(), ctypes.byref(h)))
        return DDTMap(self, h)

    # metric
    def r50_jsd(self, score, is_signal, mass, weight=None):
        score, mass, weight = _f32(score), _f32(mass), _f32(weight)
        sig = np.ascontiguousarray(is_signal, dtype=np.uint8)
        r, j = ctypes.c_double(), ctypes.c_double()
        self.check("tml_metric_r50_jsd", self.lib.tml_metric_r50_jsd(
            len(score), _ptr(score, ctypes.c_float), _ptr(sig, ctypes.c_uint8), _ptr(mass, ctypes.c_float),
            _ptr(weight, ctypes.c_float), ctypes.byref(r), ctypes.byref(j)))
        return r.value, j.value


class _Handle:
    _free = None

    def __init__(self, library, handle):
        self.library, self.handle = library, handle

    def close(self):
        h, self.handle = self.handle, None
        if h:
            getattr(self.library.lib, self._free)(h)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


class JetBatch:
    """A tml_jet_batch over contiguous copies (kept alive by this object)."""

    def __init__(self, jet_features, offsets=None, constituent_features=None,
                 jet_feature_count=None, constituent_feature_count=None):
        self.jf = _f32(jet_features)
        n = self.jf.shape[0]
        j = self.jf.shape[1] if jet_feature_count is None else jet_feature_count
        s = TmlJetBatch(n_jets=n, jet_feature_count=j, jet_features=_ptr(self.jf, ctypes.c_float))
        self.off = None if offsets is None else np.ascontiguousarray(offsets, dtype=np.uint64)
        self.cf = _f32(constituent_features)
        if self.off is not None:
            s.constituent_offsets = _ptr(self.off, ctypes.c_uint64)
        if self.cf is not None:
            s.n_constituents = self.cf.shape[0]
            s.constituent_feature_count = (self.cf.shape[1] if constituent_feature_count is None
                                           else constituent_feature_count)
            s.constituent_features = _ptr(self.cf, ctypes.c_float)
        self.struct = s
        self.n_jets = n


class Tagger(_Handle):
    _free = "tml_tagger_free"

    @property
    def output_count(self):
        return self.library.lib.tml_tagger_output_count(self.handle)

    @property
    def jet_feature_count(self):
        return self.library.lib.tml_tagger_jet_feature_count(self.handle)

    @property
    def constituent_feature_count(self):
        return self.library.lib.tml_tagger_constituent_feature_count(self.handle)

    def score_batch(self, batch):
        out = np.full((batch.n_jets, self.output_count), -7.0, np.float32)
        self.library.check("tml_tagger_score", self.library.lib.tml_tagger_score(
            self.handle, ctypes.byref(batch.struct), _ptr(out, ctypes.c_float)))
        return out

    def score(self, jet_features, offsets=None, constituent_features=None):
        return self.score_batch(JetBatch(jet_features, offsets, constituent_features))


class DDTMap(_Handle):
    _free = "tml_ddt_free"

    def apply(self, score, mass, pt):
        score, mass, pt = _f32(score), _f32(mass), _f32(pt)
        out = np.empty(len(score), np.float32)
        self.library.check("tml_ddt_apply", self.library.lib.tml_ddt_apply(
            self.handle, len(score), _ptr(score, ctypes.c_float), _ptr(mass, ctypes.c_float),
            _ptr(pt, ctypes.c_float), _ptr(out, ctypes.c_float)))
        return out

    def save(self, path):
        self.library.check("tml_ddt_save", self.library.lib.tml_ddt_save(self.handle, str(path).encode()))
