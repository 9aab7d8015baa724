"""The C ABI of include/trigml.h as ctypes: status codes, the structs
(members in header order) and the signature of every tml_* entry point the
package calls. The one place the Python side mirrors the header."""
import ctypes
import sys

ABI_VERSION = 1  # TML_ABI_VERSION

TML_OK = 0
TML_ERR_INVALID_ARGUMENT = 1
TML_ERR_IO = 2
TML_ERR_FORMAT = 3
TML_ERR_SHAPE = 4
TML_ERR_UNSUPPORTED = 5
TML_ERR_OUT_OF_MEMORY = 6
TML_ERR_INTERNAL = 7
STATUS_NAMES = {
    TML_OK: "TML_OK", TML_ERR_INVALID_ARGUMENT: "TML_ERR_INVALID_ARGUMENT", TML_ERR_IO: "TML_ERR_IO",
    TML_ERR_FORMAT: "TML_ERR_FORMAT", TML_ERR_SHAPE: "TML_ERR_SHAPE", TML_ERR_UNSUPPORTED: "TML_ERR_UNSUPPORTED",
    TML_ERR_OUT_OF_MEMORY: "TML_ERR_OUT_OF_MEMORY", TML_ERR_INTERNAL: "TML_ERR_INTERNAL",
}

TML_PT_TARGET_INV_PT = 0
TML_PT_TARGET_LOG2_PT = 1
TML_DDT_HIGHER_PASSES, TML_DDT_LOWER_PASSES = 0, 1
TML_DDT_EMPTY_FILL, TML_DDT_EMPTY_FAIL = 0, 1
TML_DDT_SMOOTHING_NONE, TML_DDT_SMOOTHING_KNN = 0, 1
TML_DDT_SCORE_IDENTITY, TML_DDT_SCORE_LOGIT = 0, 1

HANDLE = ctypes.c_void_p
HANDLE_OUT = ctypes.POINTER(ctypes.c_void_p)
F32_P = ctypes.POINTER(ctypes.c_float)
F64_P = ctypes.POINTER(ctypes.c_double)
U8_P = ctypes.POINTER(ctypes.c_uint8)
U32_P = ctypes.POINTER(ctypes.c_uint32)
U64_P = ctypes.POINTER(ctypes.c_uint64)
I32, U32, U64, F64 = ctypes.c_int32, ctypes.c_uint32, ctypes.c_uint64, ctypes.c_double
STATUS = ctypes.c_int32
PATH = ctypes.c_char_p
# Array arguments: a ctypes pointer of any type, an address (ndarray.ctypes.data) or None.
DATA = ctypes.c_void_p


class TmlT5Batch(ctypes.Structure):
    _fields_ = [
        ("n_md", U64), ("md_x", F32_P), ("md_y", F32_P), ("md_z", F32_P), ("md_r", F32_P),
        ("md_eta", F32_P), ("md_phi", F32_P), ("md_layer", U8_P),
        ("n_t3", U64), ("t3_md", U32_P), ("t3_radius", F32_P),
        ("n_t5", U64), ("t5_t3", U32_P),
    ]


class TmlT5Columns(ctypes.Structure):
    _fields_ = [
        ("md_count", U32), ("md", F32_P), ("t3_count", U32), ("t3", F32_P), ("t5_count", U32), ("t5", F32_P),
    ]


class TmlPtConversion(ctypes.Structure):
    _fields_ = [
        ("target", I32), ("output_floor", F64), ("scale_numerator", F64), ("scale_slope", F64),
        ("scale_pt_cap", F64), ("word_per_gev", F64), ("word_offset", F64), ("word_max", U32),
    ]

    def __repr__(self):
        members = ", ".join(f"{name}={getattr(self, name)!r}" for name, _ in self._fields_)
        return f"PtConversion({members})"


class TmlJetBatch(ctypes.Structure):
    _fields_ = [
        ("n_jets", U64), ("jet_feature_count", U64), ("jet_features", F32_P),
        ("constituent_offsets", U64_P), ("n_constituents", U64),
        ("constituent_feature_count", U64), ("constituent_features", F32_P),
    ]


# min_entries and score_transform share the 8 bytes ABI 1.0 gave a uint64
# min_entries, low half first (include/trigml.h, "Layout"): 72 bytes either way.
_MIN_ENTRIES_SLOT = [("min_entries", U32), ("score_transform", I32)]


class TmlDdtConfig(ctypes.Structure):
    _fields_ = [
        ("background_efficiency", F64), ("rho_min", F64), ("rho_max", F64), ("pt_min", F64), ("pt_max", F64),
    ] + (_MIN_ENTRIES_SLOT if sys.byteorder == "little" else _MIN_ENTRIES_SLOT[::-1]) + [
        ("rho_bins", I32), ("pt_bins", I32),
        ("direction", I32), ("empty_bins", I32), ("smoothing", I32), ("neighbours", I32),
    ]


# name -> (restype, argtypes), in header order.

SIGNATURES = {
    "tml_abi_version": (U32, []),
    "tml_version": (ctypes.c_char_p, []),
    "tml_last_error": (ctypes.c_char_p, []),

    "tml_t5_model_default": (STATUS, [HANDLE_OUT]),
    "tml_t5_model_load": (STATUS, [PATH, HANDLE_OUT]),
    "tml_t5_model_free": (None, [HANDLE]),
    "tml_t5_model_input_count": (I32, [HANDLE]),
    "tml_t5_features": (STATUS, [HANDLE, ctypes.POINTER(TmlT5Batch), DATA]),
    "tml_t5_score": (STATUS, [HANDLE, ctypes.POINTER(TmlT5Batch), DATA, DATA]),

    "tml_forest_load": (STATUS, [PATH, HANDLE_OUT]),
    "tml_forest_free": (None, [HANDLE]),
    "tml_forest_feature_count": (I32, [HANDLE]),
    "tml_forest_tree_count": (I32, [HANDLE]),
    "tml_forest_predict": (STATUS, [HANDLE, U64, DATA, U64, U64, DATA]),

    "tml_lut_scheme_preset": (STATUS, [ctypes.c_char_p, HANDLE_OUT]),
    "tml_lut_scheme_load": (STATUS, [PATH, HANDLE_OUT]),
    "tml_lut_scheme_free": (None, [HANDLE]),
    "tml_lut_scheme_first_address": (U64, [HANDLE]),
    "tml_lut_scheme_address_count": (U64, [HANDLE]),
    "tml_lut_scheme_feature_count": (I32, [HANDLE]),
    "tml_lut_scheme_feature_name": (ctypes.c_char_p, [HANDLE, I32]),
    "tml_lut_decode": (STATUS, [HANDLE, U64, DATA, DATA]),
    "tml_pt_conversion_preset": (STATUS, [ctypes.c_char_p, ctypes.POINTER(TmlPtConversion)]),
    "tml_lut_generate": (STATUS, [HANDLE, HANDLE, ctypes.POINTER(TmlPtConversion), U64, U64, DATA, I32]),
    "tml_lut_evaluate": (STATUS, [HANDLE, HANDLE, ctypes.POINTER(TmlPtConversion), U64, DATA, DATA, DATA, I32]),

    "tml_tagger_load": (STATUS, [PATH, HANDLE_OUT]),
    "tml_tagger_free": (None, [HANDLE]),
    "tml_tagger_output_count": (I32, [HANDLE]),
    "tml_tagger_jet_feature_count": (I32, [HANDLE]),
    "tml_tagger_constituent_feature_count": (I32, [HANDLE]),
    "tml_tagger_score": (STATUS, [HANDLE, ctypes.POINTER(TmlJetBatch), DATA]),
    "tml_discriminant_log_ratio": (STATUS, [U64, I32, DATA, I32, DATA, DATA]),

    "tml_ddt_config_init": (STATUS, [ctypes.POINTER(TmlDdtConfig), F64]),
    "tml_ddt_build": (STATUS, [U64, DATA, DATA, DATA, DATA, ctypes.POINTER(TmlDdtConfig), HANDLE_OUT]),
    "tml_ddt_apply": (STATUS, [HANDLE, U64, DATA, DATA, DATA, DATA]),
    "tml_ddt_save": (STATUS, [HANDLE, PATH]),
    "tml_ddt_load": (STATUS, [PATH, HANDLE_OUT]),
    "tml_ddt_free": (None, [HANDLE]),
    "tml_metric_r50_jsd": (STATUS, [U64, DATA, DATA, DATA, DATA, F64_P, F64_P]),

    "tml_t5_model_class_count": (I32, [HANDLE]),
    "tml_t5_model_embedding_dim": (I32, [HANDLE]),
    "tml_t5_model_working_point_count": (I32, [HANDLE]),
    "tml_t5_model_working_point_name": (ctypes.c_char_p, [HANDLE, I32]),
    "tml_t5_features_ex": (STATUS, [HANDLE, ctypes.POINTER(TmlT5Batch), ctypes.POINTER(TmlT5Columns), DATA]),
    "tml_t5_score_ex": (STATUS, [HANDLE, ctypes.POINTER(TmlT5Batch), ctypes.POINTER(TmlT5Columns), I32,
                                 DATA, DATA, DATA]),
    "tml_t5_embed": (STATUS, [HANDLE, ctypes.POINTER(TmlT5Batch), ctypes.POINTER(TmlT5Columns), DATA]),

    "tml_cpu_path": (ctypes.c_char_p, []),
}
