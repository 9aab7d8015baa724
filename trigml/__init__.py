"""TrigML from Python: LST T5 scoring, EMTF-style BDT pT lookup tables and
decorrelated jet taggers, through the C ABI of libtrigml.so (ctypes + numpy).

    import trigml
    model = trigml.T5Model.default()
    score, passed = model.score(batch)        # batch: tml_t5_batch members as arrays

The library is found through $TRIGML_LIB, else the copy inside this package,
else (in a source checkout) the builds ./run-tests.sh and ./demo.sh make.
"""
from ._abi import (  # the header's constants
    TML_DDT_EMPTY_FAIL, TML_DDT_EMPTY_FILL, TML_DDT_HIGHER_PASSES, TML_DDT_LOWER_PASSES,
    TML_DDT_SCORE_IDENTITY, TML_DDT_SCORE_LOGIT, TML_DDT_SMOOTHING_KNN, TML_DDT_SMOOTHING_NONE, TML_ERR_FORMAT, TML_ERR_INTERNAL, TML_ERR_INVALID_ARGUMENT,
    TML_ERR_IO, TML_ERR_OUT_OF_MEMORY, TML_ERR_SHAPE, TML_ERR_UNSUPPORTED, TML_OK, TML_PT_TARGET_INV_PT,
    TML_PT_TARGET_LOG2_PT,
)
from ._library import TrigMLError, abi_version, cpu_path, library_path, library_version
from ._version import __version__
from .ddt import DDTMap, ddt_config, r50_jsd
from .forest import Forest
from .lut import LUTScheme, PtConversion, evaluate_lut, generate_lut, pt_conversion
from .t5 import T5Model
from .tagger import Tagger, log_ratio_discriminant
from .onnx_import import onnx_to_t5_model, onnx_to_tagger_model  # needs the onnx package only when called

__all__ = [
    "__version__", "abi_version", "cpu_path", "library_path", "library_version", "TrigMLError",
    "T5Model", "Forest", "LUTScheme", "PtConversion", "pt_conversion", "generate_lut", "evaluate_lut",
    "Tagger", "log_ratio_discriminant", "DDTMap", "ddt_config", "r50_jsd",
    "TML_OK", "TML_ERR_INVALID_ARGUMENT", "TML_ERR_IO", "TML_ERR_FORMAT", "TML_ERR_SHAPE", "TML_ERR_UNSUPPORTED",
    "TML_ERR_OUT_OF_MEMORY", "TML_ERR_INTERNAL", "TML_PT_TARGET_INV_PT", "TML_PT_TARGET_LOG2_PT",
    "TML_DDT_HIGHER_PASSES", "TML_DDT_LOWER_PASSES", "TML_DDT_EMPTY_FILL", "TML_DDT_EMPTY_FAIL",
    "TML_DDT_SMOOTHING_NONE", "TML_DDT_SMOOTHING_KNN", "TML_DDT_SCORE_IDENTITY", "TML_DDT_SCORE_LOGIT",
]
