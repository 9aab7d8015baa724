import TrigMLCore
import TrigMLKernels

/// Reading the `layers` arrays of a tagger model file into dense networks
/// (README.md, "Tagger model file").
enum NetworkFile {
    static let maxLayers = 32
    static let maxWidth = 4096

    /// Hidden activations a file may name, with the default `alpha`.
    static func activation(_ node: JSONNode, layer: JSONNode) throws -> (Activation, Double) {
        let name = try node.string()
        let defaultAlpha: Double
        let activation: Activation
        switch name {
        case "linear": activation = .linear; defaultAlpha = 0
        case "relu": activation = .relu; defaultAlpha = 0
        case "leaky_relu": activation = .leakyRelu; defaultAlpha = 0.01
        case "elu": activation = .elu; defaultAlpha = 1
        case "tanh": activation = .tanh; defaultAlpha = 0
        default:
            throw node.fail("= '\(name)' is not an activation (linear, relu, leaky_relu, elu, tanh)")
        }
        guard let alphaNode = try layer.optionalMember("alpha") else { return (activation, defaultAlpha) }
        guard activation == .leakyRelu || activation == .elu else {
            throw alphaNode.fail("is only meaningful for leaky_relu and elu, not '\(name)'")
        }
        return (activation, try alphaNode.finiteDouble())
    }

    /// Parses `node` (an array of layers) fed by `inputs` values. When
    /// `logits` is true the last layer must be linear: its outputs are the
    /// logits the output head turns into probabilities.
    static func parse(_ node: JSONNode, inputs: Int, inputDescription: String, logits: Bool) throws -> DenseNetwork {
        let layerNodes = try node.array()
        guard !layerNodes.isEmpty, layerNodes.count <= maxLayers else {
            throw TMLError.shape("\(node.path) must hold 1 to \(maxLayers) layers, found \(layerNodes.count)")
        }
        var layers: [DenseLayer] = []
        var width = inputs
        for (index, layerNode) in layerNodes.enumerated() {
            let inputsNode = try layerNode.member("inputs")
            let layerInputs = try inputsNode.int(min: 1, max: maxWidth)
            guard layerInputs == width else {
                let expected = index == 0 ? inputDescription : "the previous layer has \(width) outputs"
                throw TMLError.shape("\(inputsNode.path) = \(layerInputs) but \(expected)")
            }
            let outputs = try layerNode.member("outputs").int(min: 1, max: maxWidth)
            let activationNode = try layerNode.member("activation")
            let (activation, alpha) = try activation(activationNode, layer: layerNode)
            if logits && index == layerNodes.count - 1 && activation != .linear {
                throw activationNode.fail("must be 'linear': the last layer gives the logits of the output head")
            }
            let rowNodes = try layerNode.member("weights").array()
            guard rowNodes.count == layerInputs else {
                throw TMLError.shape("\(layerNode.path).weights has \(rowNodes.count) rows, expected \(layerInputs) (one per input)")
            }
            var weights: [Float] = []
            weights.reserveCapacity(layerInputs * outputs)
            for row in rowNodes { weights += try row.finiteFloats(count: outputs) }
            let bias = try layerNode.member("bias").finiteFloats(count: outputs)
            guard let layer = DenseLayer(inputs: layerInputs, outputs: outputs, weights: weights, bias: bias,
                                         activation: activation, alpha: alpha) else {
                throw TMLError.shape("\(layerNode.path) sizes do not fit together")
            }
            layers.append(layer)
            width = outputs
        }
        return DenseNetwork(layers: layers)
    }
}
