import TrigMLCore
import TrigMLForest

// A forest trained with its columns in another order than the scheme
// decodes them would still produce words, all of them wrong. When the model
// file names its inputs (XGBoost's `feature_names`, set from the DMatrix
// the model was trained on), the names must be the scheme's input names
// (`LUTScheme.inputNames`, `tml_lut_scheme_feature_name`), index by index.
// A forest without names is taken as it is: nothing to compare.

extension LUTGenerator {
    /// Input count, then input names (when the forest has names).
    package static func checkInputs(_ scheme: LUTScheme, _ forest: Forest) throws {
        try checkShape(scheme, featureCount: forest.featureCount, origin: forest.origin)
        guard let names = forest.featureNames else { return }
        let schemeNames = scheme.inputNames
        let mismatched = names.indices.filter { names[$0] != schemeNames[$0] }
        guard let index = mismatched.first else { return }
        throw TMLError.shape("forest input \(index) is named '\(names[index])' but scheme '\(scheme.name)' decodes '\(schemeNames[index])' there (first of \(mismatched.count) mismatched names; the forest (\(forest.origin)) was trained on inputs in another order or of another scheme)")
    }
}
