import TrigMLCore

/// The library's own forest file ("trigml.forest", docs/formats/forest.md:
/// what converters from TMVA BDT XML (the CMS EMTF forests) write. Parallel
/// per-node arrays like XGBoost's, but with EMTF's arithmetic: a row goes
/// left when `x < threshold` (float32 features and thresholds), leaves are
/// doubles, and the output is a double running sum in tree order starting
/// from `base_score`, rounded to float32 once at the end.
enum TrigMLForestFile {
    static let formatName = "trigml.forest"
    static let formatVersion = 1
    /// Every member a file may have: a misspelt key ("defualt_left") is an
    /// error, not an option silently left at its default.
    static let rootKeys = ["format", "format_version", "feature_count", "feature_names", "base_score",
                           "provenance", "trees"]
    static let treeKeys = ["left", "right", "feature", "threshold", "value", "default_left"]

    static func parse(_ root: JSONNode) throws -> Forest {
        try root.expectFormat(formatName, version: formatVersion)
        try root.allowOnly(rootKeys)
        let featureCount = try root.member("feature_count").int(min: 1, max: Int(Int32.max))
        if let namesNode = try root.optionalMember("feature_names") {
            let names = try namesNode.array()
            guard names.count == featureCount else {
                throw TMLError.shape("\(namesNode.path) has \(names.count) names but feature_count is \(featureCount)")
            }
            for name in names { _ = try name.string() }
        }
        let base = try root.optionalMember("base_score")?.finiteDouble() ?? 0
        if let p = try root.optionalMember("provenance") { _ = try p.string() }

        let treeNodes = try root.member("trees").array()
        try Forest.requireBuildMemory(trees: treeNodes, leftKey: "left", source: root.path)
        var trees: [TreeNodes] = []
        trees.reserveCapacity(treeNodes.count)
        for node in treeNodes {
            try node.allowOnly(treeKeys)
            let left = try node.member("left").intArray()
            let right = try node.member("right").intArray()
            let feature = try node.member("feature").intArray()
            let threshold = try node.member("threshold").floatArray()
            let value = try node.member("value").doubleArray()
            let defaultLeft = try node.optionalMember("default_left")?.flagArray()
                ?? [Bool](repeating: false, count: left.count)
            trees.append(TreeNodes(left: left, right: right, feature: feature, threshold: threshold,
                                   defaultLeft: defaultLeft, value: value, source: node.path))
        }
        return try Forest(trees: trees, featureCount: featureCount, baseMargin: base,
                          summation: .float64, origin: formatName)
    }
}
