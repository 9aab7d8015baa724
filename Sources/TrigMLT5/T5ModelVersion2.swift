import TrigMLCore
import TrigMLKernels

extension T5Model {
    static let version2Keys = ["format", "format_version", "feature_set", "provenance", "extra_inputs", "standardize",
                               "layers", "classes", "score", "working_points", "working_point", "embedding"]

    /// Version 2 (docs/formats/t5_model.md, "Version 2"): extra inputs from
    /// the host's columns, optional standardisation, any number of layers
    /// (relu, leaky_relu, elu, tanh, linear hidden), and a sigmoid, softmax
    /// or embedding head.
    static func parseVersion2(_ root: JSONNode) throws -> T5Model {
        try root.allowOnly(version2Keys)
        let featureSet = try root.enumMember("feature_set", T5FeatureSet.self, choices: "lst-v2, lst-v1")
        let provenance = try root.optionalMember("provenance")?.string() ?? ""

        var extraInputs: [T5ExtraInput] = []
        if let listNode = try root.optionalMember("extra_inputs") {
            let items = try listNode.array()
            guard featureSet.inputCount + items.count <= NetworkFile.maxWidth else {
                throw TMLError.format("\(listNode.path) has \(items.count) entries: more than \(NetworkFile.maxWidth) inputs in all")
            }
            extraInputs = try items.map(T5ExtraInput.parse)
        }
        let inputs = featureSet.inputCount + extraInputs.count
        let standardization = try root.optionalMember("standardize").map { try T5Standardization.parse($0, inputs: inputs) }

        let layersNode = try root.member("layers")
        let layerNodes = try layersNode.array()
        for (index, layer) in layerNodes.enumerated() {
            try layer.allowOnly(index == layerNodes.count - 1 ? layerKeys + ["alpha", "output"] : layerKeys + ["alpha"])
        }
        var lastActivation = ""
        let description = extraInputs.isEmpty
            ? "feature set \(featureSet.rawValue) has \(inputs) inputs"
            : "feature set \(featureSet.rawValue) has \(featureSet.inputCount) inputs and extra_inputs \(extraInputs.count): \(inputs)"
        let network = try NetworkFile.parse(layersNode, inputs: inputs, inputDescription: description,
                                            maxLayers: maxLayers) { site in
            guard site.isLast else { return try NetworkFile.namedActivation(site) }
            lastActivation = try site.node.string()
            // The head (sigmoid, softmax, embedding) is applied by the scorer.
            return (.linear, 0)
        }
        guard let lastLayer = layerNodes.last else { throw layersNode.fail("is empty") }
        if let alpha = try lastLayer.optionalMember("alpha") {
            throw alpha.fail("is only meaningful for a leaky_relu or elu hidden layer")
        }
        let head = try T5Head.parse(root, lastLayer: lastLayer, lastActivation: lastActivation,
                                    outputs: network.outputCount)

        let listNode = try root.optionalMember("working_points")
        let singleNode = try root.optionalMember("working_point")
        var workingPoints: [T5NamedWorkingPoint] = []
        if head.isEmbedding {
            if let node = listNode ?? singleNode {
                throw node.fail("is not for an embedding model: it has no score to cut on")
            }
        } else if let listNode, let singleNode {
            throw singleNode.fail("and \(listNode.path) are both given; use one (working_point is a list of one)")
        } else if let listNode {
            workingPoints = try T5NamedWorkingPoint.parseList(listNode)
        } else if let singleNode {
            workingPoints = [try T5NamedWorkingPoint.parseUnnamed(singleNode)]
        } else {
            throw TMLError.format("\(root.path) working_points is missing: a scoring model needs at least one working point")
        }
        return try T5Model(featureSet: featureSet, extraInputs: extraInputs, standardization: standardization,
                       network: network, head: head, workingPoints: workingPoints, provenance: provenance)
    }
}
