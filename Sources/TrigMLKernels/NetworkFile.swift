import TrigMLCore

/// Reading the `layers` array of a model file (T5 and tagger models,
/// docs/formats/t5_model.md and "Tagger model file") into a dense network:
/// one reader for every format, so shapes, weights and messages are checked
/// the same way everywhere. Each format says which activations it allows.
package enum NetworkFile {
    package static let maxWidth = 4096

    /// Where a layer's activation is being read: its `activation` member,
    /// the layer, whether it is the last layer, and its output count.
    package struct ActivationSite {
        package let node: JSONNode
        package let layer: JSONNode
        package let isLast: Bool
        package let outputs: Int
    }

    /// Hidden activations a file may name, with the default `alpha`; an
    /// `alpha` member only for leaky_relu and elu.
    package static func namedActivation(_ site: ActivationSite) throws -> (Activation, Double) {
        let name = try site.node.string()
        let defaultAlpha: Double
        let activation: Activation
        switch name {
        case "linear": activation = .linear; defaultAlpha = 0
        case "relu": activation = .relu; defaultAlpha = 0
        case "leaky_relu": activation = .leakyRelu; defaultAlpha = 0.01
        case "elu": activation = .elu; defaultAlpha = 1
        case "tanh": activation = .tanh; defaultAlpha = 0
        default:
            throw site.node.fail("= '\(name)' is not an activation (linear, relu, leaky_relu, elu, tanh)")
        }
        guard let alphaNode = try site.layer.optionalMember("alpha") else { return (activation, defaultAlpha) }
        guard activation == .leakyRelu || activation == .elu else {
            throw alphaNode.fail("is only meaningful for leaky_relu and elu, not '\(name)'")
        }
        return (activation, try alphaNode.finiteDouble())
    }

    /// Parses `node` (an array of 1 to `maxLayers` layers) fed by `inputs`
    /// values; `inputDescription` says where those come from, for the
    /// message when the first layer disagrees. `activation` reads and checks
    /// each layer's activation by the format's rules.
    package static func parse(_ node: JSONNode, inputs: Int, inputDescription: String, maxLayers: Int,
                              activation: (ActivationSite) throws -> (Activation, Double)) throws -> DenseNetwork {
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
            let (layerActivation, alpha) = try activation(
                ActivationSite(node: try layerNode.member("activation"), layer: layerNode,
                               isLast: index == layerNodes.count - 1, outputs: outputs))
            let rowNodes = try layerNode.member("weights").array()
            guard rowNodes.count == layerInputs else {
                throw TMLError.shape("\(layerNode.path).weights has \(rowNodes.count) rows, expected \(layerInputs) (one per input)")
            }
            // Grown row by row, not reserved from the declared sizes: a tiny
            // file declaring 4096 x 4096 with short rows would otherwise
            // reserve 64 MiB unchecked (the JSON check covers the text only).
            var weights: [Float] = []
            for row in rowNodes { weights += try row.finiteFloats(count: outputs) }
            let bias = try layerNode.member("bias").finiteFloats(count: outputs)
            guard let layer = DenseLayer(inputs: layerInputs, outputs: outputs, weights: weights, bias: bias,
                                         activation: layerActivation, alpha: alpha) else {
                throw TMLError.shape("\(layerNode.path) sizes do not fit together")
            }
            layers.append(layer)
            width = outputs
        }
        return DenseNetwork(layers: layers)
    }
}
