import CTrigML

// tml_get_api: every entry point of include/trigml.h as one tml_api table, so
// a host that dlopen()s the library needs one dlsym. The table is built with
// the memberwise initializer of the imported C struct: a member the header
// gains but this list lacks is a compile error, and each member is the
// @_cdecl function itself (Tests/c/api_table.c checks it equals dlsym of the
// member's name).

/// Built once, on first use (Swift initialises globals lazily and thread-safely),
/// in memory that is never freed: the C caller keeps the pointer for as long as
/// the library is mapped.
private let abiVersion1Table: UnsafePointer<tml_api> = {
    let table = UnsafeMutablePointer<tml_api>.allocate(capacity: 1)
    table.initialize(to: tml_api(
        abi_version: UInt32(TML_ABI_VERSION),
        size: UInt32(MemoryLayout<tml_api>.size),
        version: tml_version,
        last_error: tml_last_error,
        t5_model_default: tml_t5_model_default,
        t5_model_load: tml_t5_model_load,
        t5_model_free: tml_t5_model_free,
        t5_model_input_count: tml_t5_model_input_count,
        t5_features: tml_t5_features,
        t5_score: tml_t5_score,
        forest_load: tml_forest_load,
        forest_free: tml_forest_free,
        forest_feature_count: tml_forest_feature_count,
        forest_tree_count: tml_forest_tree_count,
        forest_predict: tml_forest_predict,
        lut_scheme_preset: tml_lut_scheme_preset,
        lut_scheme_load: tml_lut_scheme_load,
        lut_scheme_free: tml_lut_scheme_free,
        lut_scheme_first_address: tml_lut_scheme_first_address,
        lut_scheme_address_count: tml_lut_scheme_address_count,
        lut_scheme_feature_count: tml_lut_scheme_feature_count,
        lut_scheme_feature_name: tml_lut_scheme_feature_name,
        lut_decode: tml_lut_decode,
        pt_conversion_preset: tml_pt_conversion_preset,
        lut_generate: tml_lut_generate,
        lut_evaluate: tml_lut_evaluate,
        tagger_load: tml_tagger_load,
        tagger_free: tml_tagger_free,
        tagger_output_count: tml_tagger_output_count,
        tagger_jet_feature_count: tml_tagger_jet_feature_count,
        tagger_constituent_feature_count: tml_tagger_constituent_feature_count,
        tagger_score: tml_tagger_score,
        discriminant_log_ratio: tml_discriminant_log_ratio,
        ddt_config_init: tml_ddt_config_init,
        ddt_build: tml_ddt_build,
        ddt_apply: tml_ddt_apply,
        ddt_save: tml_ddt_save,
        ddt_load: tml_ddt_load,
        ddt_free: tml_ddt_free,
        metric_r50_jsd: tml_metric_r50_jsd))
    return UnsafePointer(table)
}()

@_cdecl("tml_get_api")
public func tml_get_api(_ abiVersion: UInt32) -> UnsafePointer<tml_api>? {
    abiVersion == UInt32(TML_ABI_VERSION) ? abiVersion1Table : nil
}
