"""Mass decorrelation: DDT maps X_q(rho, pT) (tml_ddt_*) and the ATLAS
decorrelation benchmark R50 / (1/JSD) (tml_metric_r50_jsd)."""
import ctypes

import numpy as np

from . import _abi, _checks, _library
from ._handle import Handle

_CHOICES = {
    "direction": {"higher_passes": _abi.TML_DDT_HIGHER_PASSES, "lower_passes": _abi.TML_DDT_LOWER_PASSES},
    "empty_bins": {"fill": _abi.TML_DDT_EMPTY_FILL, "fail": _abi.TML_DDT_EMPTY_FAIL},
    "smoothing": {"none": _abi.TML_DDT_SMOOTHING_NONE, "knn": _abi.TML_DDT_SMOOTHING_KNN},
    "score_transform": {"identity": _abi.TML_DDT_SCORE_IDENTITY, "logit": _abi.TML_DDT_SCORE_LOGIT},
}
_INTEGER_RANGES = {"min_entries": (0, 2**32 - 1), "rho_bins": (-2**31, _checks.INT32_MAX),
                   "pt_bins": (-2**31, _checks.INT32_MAX), "neighbours": (-2**31, _checks.INT32_MAX)}
_REAL_MEMBERS = ("rho_min", "rho_max", "pt_min", "pt_max")


def _member(name, value):
    """A tml_ddt_config member from its Python value; the library checks the
    value's meaning (ranges, bin counts), this only that it fits the C type."""
    if name in _CHOICES:
        if isinstance(value, str):
            if value not in _CHOICES[name]:
                raise ValueError(f"{name} must be one of {sorted(_CHOICES[name])}, got {value!r}")
            return _CHOICES[name][value]
        return _checks.integer(name, value, -2**31, _checks.INT32_MAX)
    if name in _INTEGER_RANGES:
        return _checks.integer(name, value, *_INTEGER_RANGES[name])
    return _checks.real(name, value)


def ddt_config(background_efficiency, **members):
    """A tml_ddt_config: the library's defaults (tml_ddt_config_init) for
    this working point, with the given members replaced. direction,
    empty_bins, smoothing and score_transform take the header's constants
    or their names ("higher_passes"/"lower_passes", "fill"/"fail",
    "none"/"knn", "identity"/"logit")."""
    config = _abi.TmlDdtConfig()
    _library.call("tml_ddt_config_init", ctypes.byref(config),
                  _checks.real("background_efficiency", background_efficiency))
    known = {name for name, _ in _abi.TmlDdtConfig._fields_} - {"background_efficiency"}
    for name, value in members.items():
        if name not in known:
            raise TypeError(f"unknown DDT configuration keyword {name!r}; known: {sorted(known)}")
        if value is not None:
            setattr(config, name, _member(name, value))
    return config


def _jets(score, mass, pt, weight=None):
    arrays = {"score": _checks.real_array("score", score, 1), "mass": _checks.real_array("mass", mass, 1),
              "pt": _checks.real_array("pt", pt, 1),
              "weight": None if weight is None else _checks.real_array("weight", weight, 1)}
    return _checks.same_length(**arrays), arrays


class DDTMap(Handle):
    """A designed-decorrelated-tagger map X_q(rho, pT), rho = ln(m^2/pT^2) (tml_ddt_map)."""
    _free = "tml_ddt_free"

    @classmethod
    def build(cls, score, mass, pt, weight=None, background_efficiency=0.05, *, rho_min=None, rho_max=None,
              pt_min=None, pt_max=None, min_entries=None, rho_bins=None, pt_bins=None, direction=None,
              empty_bins=None, smoothing=None, neighbours=None, score_transform=None):
        """Builds a map from a background-only sample (score, groomed mass and
        pT in GeV, optional weights) so that background_efficiency of the
        background passes in every (rho, pT) bin. score_transform="logit"
        makes a map on the logit of a sigmoid tagger's probability: pass the
        probability, here and to apply(); the map file records it. Keywords
        left at None keep the library's defaults (include/trigml.h,
        tml_ddt_config; score_transform "identity")."""
        config = ddt_config(background_efficiency, rho_min=rho_min, rho_max=rho_max, pt_min=pt_min,
                            pt_max=pt_max, min_entries=min_entries, rho_bins=rho_bins, pt_bins=pt_bins,
                            direction=direction, empty_bins=empty_bins, smoothing=smoothing, neighbours=neighbours,
                            score_transform=score_transform)
        return cls.build_with_config(score, mass, pt, weight, config)

    @classmethod
    def build_with_config(cls, score, mass, pt, weight, config):
        """build() with a ready tml_ddt_config (see ddt_config)."""
        _checks.instance("config", config, _abi.TmlDdtConfig)
        n, jets = _jets(score, mass, pt, weight)
        pointers = [_checks.pointer(jets[key], ctypes.c_float) for key in ("score", "mass", "pt", "weight")]
        return cls._from_call("tml_ddt_build", n, *pointers, ctypes.byref(config))

    @classmethod
    def load(cls, path):
        """A DDT map file (JSON, docs/formats)."""
        return cls._from_call("tml_ddt_load", _checks.path("path", path))

    def save(self, path):
        _library.call("tml_ddt_save", self.handle, _checks.path("path", path))

    def apply(self, score, mass, pt):
        """Decorrelated score, float32 (n,): positive where the jet passes.
        score is the tagger's output; a logit map turns it into the logit
        itself (and refuses a score outside [0, 1])."""
        n, jets = _jets(score, mass, pt)
        out = np.empty(n, dtype=np.float32)
        _library.call("tml_ddt_apply", self.handle, n, *(_checks.pointer(jets[key], ctypes.c_float)
                                                          for key in ("score", "mass", "pt")),
                      _checks.pointer(out, ctypes.c_float))
        return out


def r50_jsd(score, is_signal, mass, weight=None):
    """(rejection, inverse_jsd): background rejection at 50% signal
    efficiency and 1/JSD between the passing and failing background mass
    shapes (the ATLAS decorrelation benchmark). Higher score = more signal-like."""
    score = _checks.real_array("score", score, 1)
    flags = _checks.flag_array("is_signal", is_signal)
    mass = _checks.real_array("mass", mass, 1)
    weight = None if weight is None else _checks.real_array("weight", weight, 1)
    n = _checks.same_length(score=score, is_signal=flags, mass=mass, weight=weight)
    rejection, inverse_jsd = ctypes.c_double(), ctypes.c_double()
    _library.call("tml_metric_r50_jsd", n, _checks.pointer(score, ctypes.c_float),
                  _checks.pointer(flags, ctypes.c_uint8), _checks.pointer(mass, ctypes.c_float),
                  _checks.pointer(weight, ctypes.c_float), ctypes.byref(rejection), ctypes.byref(inverse_jsd))
    return rejection.value, inverse_jsd.value
