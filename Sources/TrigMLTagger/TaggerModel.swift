import TrigMLCore
import TrigMLKernels

/// A loaded tagger: an MLP over jet features, or a Deep Sets tagger
/// (per-constituent network Phi, sum pooling over each jet's constituents,
/// network F over [pooled Phi outputs, jet features]). Immutable, so one
/// instance serves any number of threads at once.
package final class TaggerModel: JSONFileFormat {
    package enum Kind: String {
        case mlp
        case deepSets = "deep_sets"
    }

    package enum Head: String {
        case sigmoid
        case softmax
    }

    package let kind: Kind
    package let head: Head
    package let jetFeatureNames: [String]
    package let constituentFeatureNames: [String]
    package let jetScaling: FeatureScaling
    package let constituentScaling: FeatureScaling
    /// Deep Sets only: the per-constituent network.
    package let phi: DenseNetwork?
    /// The MLP, or Deep Sets' F; its last layer is linear (the logits).
    package let network: DenseNetwork
    package let classNames: [String]
    package let provenance: String

    package var jetFeatureCount: Int { jetFeatureNames.count }
    package var constituentFeatureCount: Int { constituentFeatureNames.count }
    package var outputCount: Int { network.outputCount }
    /// Width of the pooled vector (0 for an MLP).
    package var latentCount: Int { phi?.outputCount ?? 0 }

    init(kind: Kind, head: Head, jetFeatureNames: [String], constituentFeatureNames: [String],
         jetScaling: FeatureScaling, constituentScaling: FeatureScaling, phi: DenseNetwork?,
         network: DenseNetwork, classNames: [String], provenance: String) {
        self.kind = kind
        self.head = head
        self.jetFeatureNames = jetFeatureNames
        self.constituentFeatureNames = constituentFeatureNames
        self.jetScaling = jetScaling
        self.constituentScaling = constituentScaling
        self.phi = phi
        self.network = network
        self.classNames = classNames
        self.provenance = provenance
    }

    package static let formatName = "trigml.tagger"
    package static let formatVersion = 1
    static let maxFeatures = 4096

    static func names(_ node: JSONNode) throws -> [String] {
        let items = try node.array()
        guard items.count <= maxFeatures else {
            throw TMLError.shape("\(node.path) lists \(items.count) features; at most \(maxFeatures)")
        }
        return try items.map { try $0.string() }
    }

    /// A tagger network of up to 32 layers with any named activation. When
    /// `logits` is true the last layer must be linear: its outputs are the
    /// logits the output head turns into probabilities.
    static func readNetwork(_ node: JSONNode, inputs: Int, inputDescription: String, logits: Bool) throws -> DenseNetwork {
        try NetworkFile.parse(node, inputs: inputs, inputDescription: inputDescription, maxLayers: 32) { site in
            let (activation, alpha) = try NetworkFile.namedActivation(site)
            if logits && site.isLast && activation != .linear {
                throw site.node.fail("must be 'linear': the last layer gives the logits of the output head")
            }
            return (activation, alpha)
        }
    }

    /// The file format is documented in docs/formats/tagger_model.md.
    package static func parse(_ root: JSONNode) throws -> TaggerModel {
        try root.expectFormat(formatName, version: formatVersion)
        let kindNode = try root.member("kind")
        let kindName = try kindNode.string()
        guard let kind = Kind(rawValue: kindName) else { throw kindNode.fail("= '\(kindName)' is not a tagger kind (mlp, deep_sets)") }
        let headNode = try root.member("output")
        let headName = try headNode.string()
        guard let head = Head(rawValue: headName) else { throw headNode.fail("= '\(headName)' is not an output (sigmoid, softmax)") }
        let provenance = try root.optionalMember("provenance")?.string() ?? ""

        let jetNames = try names(root.member("jet_features"))
        let jetScaling = try FeatureScaling.parse(root.optionalMember("jet_scaling"), count: jetNames.count)
        var constituentNames: [String] = []
        var constituentScaling = FeatureScaling.identity(0)
        var phi: DenseNetwork?
        let network: DenseNetwork
        switch kind {
        case .mlp:
            for key in ["phi", "f", "constituent_features", "constituent_scaling"] where root.has(key) {
                throw root.fail("has '\(key)', which belongs to a deep_sets tagger, not an mlp")
            }
            guard !jetNames.isEmpty else { throw TMLError.shape("\(root.path) jet_features is empty; an mlp needs at least one input") }
            network = try readNetwork(root.member("layers"), inputs: jetNames.count,
                                            inputDescription: "the model has \(jetNames.count) jet features", logits: true)
        case .deepSets:
            if root.has("layers") { throw root.fail("has 'layers'; a deep_sets tagger has 'phi' and 'f'") }
            constituentNames = try names(root.member("constituent_features"))
            guard !constituentNames.isEmpty else {
                throw TMLError.shape("\(root.path) constituent_features is empty; Phi needs at least one input")
            }
            constituentScaling = try FeatureScaling.parse(root.optionalMember("constituent_scaling"), count: constituentNames.count)
            let phiNetwork = try readNetwork(root.member("phi"), inputs: constituentNames.count,
                                                   inputDescription: "the model has \(constituentNames.count) constituent features",
                                                   logits: false)
            let fInputs = phiNetwork.outputCount + jetNames.count
            network = try readNetwork(root.member("f"), inputs: fInputs,
                                            inputDescription: "F reads Phi's \(phiNetwork.outputCount) pooled outputs and \(jetNames.count) jet features",
                                            logits: true)
            phi = phiNetwork
        }
        switch head {
        case .sigmoid where network.outputCount != 1:
            throw TMLError.shape("\(root.path) output 'sigmoid' needs 1 logit, the last layer has \(network.outputCount)")
        case .softmax where network.outputCount < 2:
            throw TMLError.shape("\(root.path) output 'softmax' needs at least 2 logits, the last layer has \(network.outputCount)")
        default: break
        }
        var classNames: [String] = []
        if let classesNode = try root.optionalMember("classes") {
            classNames = try names(classesNode)
            guard classNames.count == network.outputCount else {
                throw TMLError.shape("\(classesNode.path) names \(classNames.count) classes, the model has \(network.outputCount) outputs")
            }
        }
        return TaggerModel(kind: kind, head: head, jetFeatureNames: jetNames, constituentFeatureNames: constituentNames,
                           jetScaling: jetScaling, constituentScaling: constituentScaling, phi: phi,
                           network: network, classNames: classNames, provenance: provenance)
    }
}
