import TrigMLCore
import TrigMLKernels

/// A loaded T5 model: feature set, network, working point. Immutable, so
/// one instance serves every stream of a host at once.
public final class T5Model {
    public let featureSet: T5FeatureSet
    public let network: DenseNetwork
    public let workingPoint: T5WorkingPoint
    public let provenance: String

    public init(featureSet: T5FeatureSet, network: DenseNetwork, workingPoint: T5WorkingPoint, provenance: String) {
        self.featureSet = featureSet
        self.network = network
        self.workingPoint = workingPoint
        self.provenance = provenance
    }

    public static let formatName = "trigml.t5-model"
    public static let formatVersion = 1

    public static func load(path: String) throws -> T5Model {
        try parse(JSONNode.load(file: path))
    }

    public static func parse(text: String, source: String) throws -> T5Model {
        try parse(JSONNode.parse(text: text, source: source))
    }

    /// The file format is documented in README.md ("T5 model file").
    public static func parse(_ root: JSONNode) throws -> T5Model {
        try root.expectFormat(formatName, version: formatVersion)
        let featureSet = try root.enumMember("feature_set", T5FeatureSet.self, choices: "lst-v2, lst-v1")
        let setName = featureSet.rawValue
        let provenance = try root.optionalMember("provenance")?.string() ?? ""

        let layerNodes = try root.member("layers").array()
        guard !layerNodes.isEmpty, layerNodes.count <= 16 else {
            throw TMLError.shape("\(root.path) layers must hold 1 to 16 layers, found \(layerNodes.count)")
        }
        var layers: [DenseLayer] = []
        var width = featureSet.inputCount
        for (index, node) in layerNodes.enumerated() {
            let isLast = index == layerNodes.count - 1
            let inputsNode = try node.member("inputs")
            let inputs = try inputsNode.int(min: 1, max: 4096)
            guard inputs == width else {
                let expected = index == 0 ? "feature set \(setName) has \(width) inputs" : "the previous layer has \(width) outputs"
                throw TMLError.shape("\(inputsNode.path) = \(inputs) but \(expected)")
            }
            let outputs = try node.member("outputs").int(min: 1, max: 4096)
            let activationNode = try node.member("activation")
            let activationName = try activationNode.string()
            let activation: Activation
            if isLast {
                guard activationName == "sigmoid", outputs == 1 else {
                    throw TMLError.shape("\(node.path) is the output layer: it must have 1 output and activation 'sigmoid' (has \(outputs), '\(activationName)')")
                }
                activation = .linear  // the sigmoid head is applied by the scorer
            } else {
                guard activationName == "relu" else {
                    throw activationNode.fail("= '\(activationName)'; hidden layers of the LST T5 DNN use 'relu'")
                }
                activation = .relu
            }
            let rowNodes = try node.member("weights").array()
            guard rowNodes.count == inputs else {
                throw TMLError.shape("\(node.path).weights has \(rowNodes.count) rows, expected \(inputs) (one per input)")
            }
            var weights: [Float] = []
            weights.reserveCapacity(inputs * outputs)
            for row in rowNodes { weights += try row.finiteFloats(count: outputs) }
            let bias = try node.member("bias").finiteFloats(count: outputs)
            guard let layer = DenseLayer(inputs: inputs, outputs: outputs, weights: weights, bias: bias, activation: activation) else {
                throw TMLError.shape("\(node.path) sizes do not fit together")
            }
            layers.append(layer)
            width = outputs
        }
        let workingPoint = try T5WorkingPoint.parse(root.member("working_point"))
        return T5Model(featureSet: featureSet, network: DenseNetwork(layers: layers),
                       workingPoint: workingPoint, provenance: provenance)
    }

    /// The model compiled into the library (DefaultModel.swift, generated).
    public static func makeDefault() throws -> T5Model {
        try parse(text: defaultT5ModelJSON, source: "embedded default T5 model")
    }
}
