import TrigMLCore

/// How a forest turns leaves into its raw output. Both sum in tree order,
/// starting from the base margin; they differ in the accumulator type, and
/// each must be kept exactly to agree with the tool the model came from.
package enum ForestSummation: Sendable {
    /// XGBoost: a float32 running sum (base margin, then each tree's float32
    /// leaf in tree order). This is what `predict(output_margin=True)` does.
    case float32
    /// TMVA / the CMS EMTF emulator: a double running sum in tree order,
    /// rounded to float32 once at the end.
    case float64
}

/// A loaded forest. Immutable after `init` (apart from `derivedForm`, which
/// is lock-protected), so one instance may be used by any number of threads
/// at once; evaluation keeps its scratch in the calling thread's reused
/// buffer (`ThreadScratch`).
package final class Forest: @unchecked Sendable {
    package let featureCount: Int
    package let treeCount: Int
    package let summation: ForestSummation
    /// The sum's starting value: `baseMargin32` for `.float32`,
    /// `baseMargin64` for `.float64` (the other is the same value rounded).
    package let baseMargin32: Float
    package let baseMargin64: Double
    /// What the forest is, for messages and tools ("xgboost binary:logistic").
    package let origin: String
    /// The input names the model was trained with (XGBoost's
    /// `feature_names`), one per feature, or nil when the file has none.
    /// LUT generation refuses a forest whose names differ from the scheme's.
    package let featureNames: [String]?

    /// The evaluation layout (ForestLayout.swift).
    let layout: ForestLayout
    /// The deepest tree, in levels.
    package let maxDepth: Int
    /// A form of this forest that another engine derives from it, made
    /// once on first use and kept with the forest (TrigMLLUT's
    /// `lutForm()`, the LUT form with fixed-point leaves), so a forest used
    /// only for prediction never builds it.
    package let derivedForm = OnceSlot<Any>()

    /// Forests larger than this are refused: node indices are 32-bit.
    package static let maxNodes = Int(UInt32.max / 2)
    /// Each evaluation block holds two copies of every feature column, so
    /// the feature count is bounded (XGBoost models of physics inputs have
    /// tens of features).
    package static let maxFeatures = 1 << 16

    /// Checks every tree (`ValidatedTree`) and lays the forest out for
    /// evaluation. `trees` are summed in the order given.
    package init(trees: [TreeNodes], featureCount: Int, baseMargin: Double,
                summation: ForestSummation, origin: String, featureNames: [String]? = nil) throws {
        guard featureCount >= 1, featureCount <= Self.maxFeatures else {
            throw TMLError.unsupported("\(origin): feature count \(featureCount) is outside [1, \(Self.maxFeatures)]")
        }
        guard baseMargin.isFinite else {
            throw TMLError.format("\(origin): the base margin is not finite (\(baseMargin))")
        }
        if let featureNames, featureNames.count != featureCount {
            throw TMLError.shape("\(origin): \(featureNames.count) feature names for \(featureCount) features")
        }
        guard trees.count <= Int(Int32.max) else {
            throw TMLError.unsupported("\(origin): \(trees.count) trees is more than int32 can count")
        }
        var validated: [ValidatedTree] = []
        validated.reserveCapacity(trees.count)
        var totalNodes = 0
        for tree in trees {
            let v = try ValidatedTree(tree, featureCount: featureCount)
            totalNodes += v.order.count
            guard totalNodes <= Self.maxNodes else {
                throw TMLError.unsupported("\(origin): more than \(Self.maxNodes) nodes in total")
            }
            validated.append(v)
        }
        self.featureCount = featureCount
        self.treeCount = trees.count
        self.summation = summation
        self.baseMargin32 = Float(baseMargin)
        self.baseMargin64 = baseMargin
        self.origin = origin
        self.featureNames = featureNames
        self.layout = ForestLayout(trees: trees, validated: validated, featureCount: featureCount)
        self.maxDepth = validated.map(\.depth).max() ?? 0
    }

    /// Number of reachable nodes (leaves included) over all trees.
    package var nodeCount: Int { layout.nodeCount }
}
