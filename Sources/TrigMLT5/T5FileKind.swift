import TrigMLCore

/// When a T5 model loader is handed another kind of TrigML file (or an
/// XGBoost model), the message says what the file is and which call loads it,
/// instead of a bare "format is not trigml.t5-model".
enum T5FileKind {
    /// format name -> the call that loads it.
    static let otherFormats: [(format: String, call: String)] = [
        ("trigml.tagger", "tml_tagger_load"),
        ("trigml.forest", "tml_forest_load"),
        ("trigml.ddt-map", "tml_ddt_load"),
        ("trigml.lut-scheme", "tml_lut_scheme_load"),
    ]

    /// Throws when `root` is a known file of another kind.
    static func refuseOtherKinds(_ root: JSONNode) throws {
        guard case .object = root.value else { return }
        if let formatNode = try root.optionalMember("format"), case .string(let format) = formatNode.value,
           let other = otherFormats.first(where: { $0.format == format }) {
            throw formatNode.fail("= '\(format)': this is a \(other.format) file, not a T5 model; load it with \(other.call)")
        }
        // XGBoost's Booster.save_model JSON: {"learner": ..., "version": [...]}.
        if root.has("learner") && !root.has("format") {
            throw root.fail("is an XGBoost model (it has a 'learner' member), not a T5 model; load it with tml_forest_load")
        }
    }
}
