import TrigMLCore

/// Reads a model written by XGBoost's `Booster.save_model("x.json")`
/// (checked against XGBoost 3.2; the layout has been stable since 1.0 apart
/// from `base_score`, which 3.x writes as a one-element list "[5E-1]").
///
/// Only single-output gradient-boosted tree models with numerical splits are
/// accepted; anything else fails with `.unsupported` and says why.
enum XGBoostModel {
    static func parse(_ root: JSONNode) throws -> Forest {
        let learner = try root.member("learner")
        let params = try learner.member("learner_model_param")

        let objectiveNode = try learner.member("objective").member("name")
        let objectiveName = try objectiveNode.string()
        guard let objective = XGBoostObjective(rawValue: objectiveName) else {
            if objectiveName.hasPrefix("multi:") {
                throw TMLError.unsupported("\(objectiveNode.path) = '\(objectiveName)': multi-class models are not supported (one output per row only); supported objectives: \(XGBoostObjective.supportedNames)")
            }
            throw TMLError.unsupported("\(objectiveNode.path) = '\(objectiveName)' is not supported; supported objectives: \(XGBoostObjective.supportedNames)")
        }

        if let classNode = try params.optionalMember("num_class") {
            let classes = try classNode.int(min: 0, lenient: true)
            guard classes <= 1 else {
                throw TMLError.unsupported("\(classNode.path) = \(classes): multi-class models are not supported (one output per row only)")
            }
        }
        if let targetNode = try params.optionalMember("num_target") {
            let targets = try targetNode.int(min: 0, lenient: true)
            guard targets <= 1 else {
                throw TMLError.unsupported("\(targetNode.path) = \(targets): multi-target models are not supported (one output per row only)")
            }
        }
        let featureNode = try params.member("num_feature")
        let featureCount = try featureNode.int(min: 1, max: Int(Int32.max), lenient: true)

        let baseNode = try params.member("base_score")
        let baseScore = try parseBaseScore(baseNode)
        let baseMargin: Float
        do {
            baseMargin = try objective.baseMargin(baseScore: baseScore)
        } catch let e as TMLError {
            throw TMLError(e.code, "\(baseNode.path): \(e.message)")
        }

        let booster = try learner.member("gradient_booster")
        let boosterNameNode = try booster.member("name")
        let boosterName = try boosterNameNode.string()
        guard boosterName == "gbtree" else {
            throw TMLError.unsupported("\(boosterNameNode.path) = '\(boosterName)': only the 'gbtree' booster is supported (not dart or gblinear)")
        }
        let model = try booster.member("model")
        let treeNodes = try model.member("trees").array()

        if let paramNode = try model.optionalMember("gbtree_model_param"),
           let countNode = try paramNode.optionalMember("num_trees") {
            let declared = try countNode.int(min: 0, lenient: true)
            guard declared == treeNodes.count else {
                throw TMLError.shape("\(countNode.path) = \(declared) but the model holds \(treeNodes.count) trees")
            }
        }
        if let infoNode = try model.optionalMember("tree_info") {
            let info = try infoNode.intArray()
            guard info.count == treeNodes.count else {
                throw TMLError.shape("\(infoNode.path) has \(info.count) entries but the model holds \(treeNodes.count) trees")
            }
            if let k = info.firstIndex(where: { $0 != 0 }) {
                throw TMLError.unsupported("\(infoNode.path)[\(k)] = \(info[k]): the tree belongs to output \(info[k]); multi-class/multi-target models are not supported")
            }
        }

        try Forest.requireBuildMemory(trees: treeNodes, leftKey: "left_children", source: root.path)
        var trees: [TreeNodes] = []
        trees.reserveCapacity(treeNodes.count)
        for node in treeNodes {
            trees.append(try parseTree(node))
        }
        return try Forest(trees: trees, featureCount: featureCount, baseMargin: Double(baseMargin),
                          summation: .float32, origin: "xgboost \(objectiveName)",
                          featureNames: try parseFeatureNames(learner, featureCount: featureCount))
    }

    /// `learner.feature_names`: what `Booster.feature_names` held when the
    /// model was saved (XGBoost's learner.cc SaveModel writes it, `[]` when
    /// the DMatrix had none). Empty or absent means no names (nil).
    static func parseFeatureNames(_ learner: JSONNode, featureCount: Int) throws -> [String]? {
        guard let node = try learner.optionalMember("feature_names") else { return nil }
        let entries = try node.array()
        if entries.isEmpty { return nil }
        guard entries.count == featureCount else {
            throw TMLError.shape("\(node.path) has \(entries.count) names but num_feature is \(featureCount)")
        }
        return try entries.map { try $0.string() }
    }

    /// "[4.58E-1]" (XGBoost 3.x), "4.58E-1" (earlier) or a plain number;
    /// exactly one value, rounded once from its text to float32 (XGBoost
    /// stores it as float32).
    static func parseBaseScore(_ node: JSONNode) throws -> Float {
        var text: String
        switch node.value {
        case .number(let t): text = t
        case .string(let s): text = s
        default: throw node.fail("is \(node.value.kindName), expected a number or a string such as \"[5E-1]\"")
        }
        text = String(text.filter { $0 != " " })
        if text.hasPrefix("[") && text.hasSuffix("]") && text.count >= 2 {
            text = String(text.dropFirst().dropLast())
        }
        if text.contains(",") {
            throw TMLError.unsupported("\(node.path) = '\(text)' has several values: a multi-target/multi-class model, which is not supported")
        }
        guard let value = Float(text) else { throw node.fail("= '\(text)' is not a number") }
        return value
    }

    static func parseTree(_ node: JSONNode) throws -> TreeNodes {
        let left = try node.member("left_children").intArray()
        let n = left.count
        if let param = try node.optionalMember("tree_param") {
            if let countNode = try param.optionalMember("num_nodes") {
                let declared = try countNode.int(min: 0, lenient: true)
                guard declared == n else {
                    throw TMLError.shape("\(countNode.path) = \(declared) but left_children has \(n) entries")
                }
            }
            if let leafNode = try param.optionalMember("size_leaf_vector") {
                let size = try leafNode.int(min: 0, lenient: true)
                guard size <= 1 else {
                    throw TMLError.unsupported("\(leafNode.path) = \(size): vector leaves (multi-target trees) are not supported")
                }
            }
        }
        let right = try node.member("right_children").intArray()
        let feature = try node.member("split_indices").intArray()
        let condition = try node.member("split_conditions").floatArray()
        let defaultLeft = try node.member("default_left").flagArray()
        if let typeNode = try node.optionalMember("split_type") {
            let types = try typeNode.intArray()
            guard types.count == n else {
                throw TMLError.shape("\(typeNode.path) has \(types.count) entries but left_children has \(n)")
            }
            for i in 0..<n where types[i] != 0 && left[i] != -1 {
                throw TMLError.unsupported("\(typeNode.path)[\(i)] = \(types[i]): categorical splits are not supported")
            }
        }
        // The leaf value of an XGBoost leaf is its split_conditions entry.
        let value = condition.map { Double($0) }
        return TreeNodes(left: left, right: right, feature: feature, threshold: condition,
                         defaultLeft: defaultLeft, value: value, source: node.path)
    }
}
