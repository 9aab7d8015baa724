import CTrigML

// tml_get_api: every entry point of include/trigml.h as one tml_api table, so
// a host that dlopen()s the library needs one dlsym. The table is built with
// the memberwise initializer of the imported C struct: a member the header
// gains but this list lacks is a compile error, and each member is the
// @_cdecl function itself (Tests/c/api_table.c checks it equals dlsym of the
// member's name). Members name the header's declarations (`CTrigML.tml_...`),
// which the linker binds to the @_cdecl definitions in this module: naming
// the Swift functions instead makes a non-whole-module (debug) build emit a
// second C entry point per function in this file, a duplicate symbol.

/// Built once, on first use (Swift initialises globals lazily and thread-safely),
/// in memory that is never freed: the C caller keeps the pointer for as long as
/// the library is mapped.
private let abiVersion1Table: UnsafePointer<tml_api> = {
    let table = UnsafeMutablePointer<tml_api>.allocate(capacity: 1)
    table.initialize(to: tml_api(
        abi_version: UInt32(TML_ABI_VERSION),
        size: UInt32(MemoryLayout<tml_api>.size),
        version: CTrigML.tml_version,
        last_error: CTrigML.tml_last_error,
        t5_model_default: CTrigML.tml_t5_model_default,
        t5_model_load: CTrigML.tml_t5_model_load,
        t5_model_free: CTrigML.tml_t5_model_free,
        t5_model_input_count: CTrigML.tml_t5_model_input_count,
        t5_features: CTrigML.tml_t5_features,
        t5_score: CTrigML.tml_t5_score,
        forest_load: CTrigML.tml_forest_load,
        forest_free: CTrigML.tml_forest_free,
        forest_feature_count: CTrigML.tml_forest_feature_count,
        forest_tree_count: CTrigML.tml_forest_tree_count,
        forest_predict: CTrigML.tml_forest_predict,
        lut_scheme_preset: CTrigML.tml_lut_scheme_preset,
        lut_scheme_load: CTrigML.tml_lut_scheme_load,
        lut_scheme_free: CTrigML.tml_lut_scheme_free,
        lut_scheme_first_address: CTrigML.tml_lut_scheme_first_address,
        lut_scheme_address_count: CTrigML.tml_lut_scheme_address_count,
        lut_scheme_feature_count: CTrigML.tml_lut_scheme_feature_count,
        lut_scheme_feature_name: CTrigML.tml_lut_scheme_feature_name,
        lut_decode: CTrigML.tml_lut_decode,
        pt_conversion_preset: CTrigML.tml_pt_conversion_preset,
        lut_generate: CTrigML.tml_lut_generate,
        lut_evaluate: CTrigML.tml_lut_evaluate,
        tagger_load: CTrigML.tml_tagger_load,
        tagger_free: CTrigML.tml_tagger_free,
        tagger_output_count: CTrigML.tml_tagger_output_count,
        tagger_jet_feature_count: CTrigML.tml_tagger_jet_feature_count,
        tagger_constituent_feature_count: CTrigML.tml_tagger_constituent_feature_count,
        tagger_score: CTrigML.tml_tagger_score,
        discriminant_log_ratio: CTrigML.tml_discriminant_log_ratio,
        ddt_config_init: CTrigML.tml_ddt_config_init,
        ddt_build: CTrigML.tml_ddt_build,
        ddt_apply: CTrigML.tml_ddt_apply,
        ddt_save: CTrigML.tml_ddt_save,
        ddt_load: CTrigML.tml_ddt_load,
        ddt_free: CTrigML.tml_ddt_free,
        metric_r50_jsd: CTrigML.tml_metric_r50_jsd,
        t5_model_class_count: CTrigML.tml_t5_model_class_count,
        t5_model_embedding_dim: CTrigML.tml_t5_model_embedding_dim,
        t5_model_working_point_count: CTrigML.tml_t5_model_working_point_count,
        t5_model_working_point_name: CTrigML.tml_t5_model_working_point_name,
        t5_features_ex: CTrigML.tml_t5_features_ex,
        t5_score_ex: CTrigML.tml_t5_score_ex,
        t5_embed: CTrigML.tml_t5_embed,
        cpu_path: CTrigML.tml_cpu_path))
    return UnsafePointer(table)
}()

@_cdecl("tml_get_api")
public func tml_get_api(_ abiVersion: UInt32) -> UnsafePointer<tml_api>? {
    abiVersion == UInt32(TML_ABI_VERSION) ? abiVersion1Table : nil
}
