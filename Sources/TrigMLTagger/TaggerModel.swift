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

    /// 1: inputs arrive normalised; 2: the file's transforms start from
    /// the physics quantities.
    package let formatVersion: Int
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

    init(version: Int, kind: Kind, head: Head, jetFeatureNames: [String], constituentFeatureNames: [String],
         jetScaling: FeatureScaling, constituentScaling: FeatureScaling, phi: DenseNetwork?,
         network: DenseNetwork, classNames: [String], provenance: String) {
        self.formatVersion = version
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
    /// Version 2 lists each input as an object carrying its transform
    /// (callers pass the physics quantity); version 1 lists names and takes
    /// inputs already normalised the way the network was trained.
    package static let formatVersions = 1...2
    static let maxFeatures = 4096
    static let layerKeys = ["inputs", "outputs", "activation", "alpha", "weights", "bias"]

    static func names(_ node: JSONNode) throws -> [String] {
        let items = try node.array()
        guard items.count <= maxFeatures else {
            throw TMLError.shape("\(node.path) lists \(items.count) features; at most \(maxFeatures)")
        }
        return try items.map { try $0.string() }
    }

    /// The members a file of this version and kind may have.
    static func rootKeys(version: Int, kind: Kind) -> [String] {
        var keys = ["format", "format_version", "kind", "provenance", "output", "classes", "jet_features"]
        keys += kind == .mlp ? ["layers"] : ["constituent_features", "phi", "f"]
        if version == 1 { keys += kind == .mlp ? ["jet_scaling"] : ["jet_scaling", "constituent_scaling"] }
        return keys
    }

    /// The names and transforms of one input list (`jet_features` or
    /// `constituent_features`): version 1 pairs a list of names with the
    /// optional `<prefix>_scaling` member, version 2 reads both from the
    /// list's objects.
    static func inputs(_ root: JSONNode, _ key: String, scalingKey: String, version: Int)
        throws -> (names: [String], scaling: FeatureScaling) {
        let node = try root.member(key)
        if version >= 2 {
            if let old = try root.optionalMember(scalingKey) {
                throw old.fail("is format_version 1; in version 2 each \(key) entry carries its own offset and scale")
            }
            let parsed = try TaggerInputs(node)
            return (parsed.names, parsed.scaling)
        }
        for item in try node.array() where item.keys.contains("name") {
            throw item.fail("is an input object; inputs with their own transforms need format_version 2")
        }
        let list = try names(node)
        return (list, try FeatureScaling.parse(root.optionalMember(scalingKey), count: list.count))
    }

    /// A tagger network of up to 32 layers with any named activation. When
    /// `logits` is true the last layer must be linear: its outputs are the
    /// logits the output head turns into probabilities.
    static func readNetwork(_ node: JSONNode, inputs: Int, inputDescription: String, logits: Bool) throws -> DenseNetwork {
        // Keys first: a misspelt "activaton" is an unknown key, not a
        // missing activation.
        if case .array = node.value { for layer in try node.array() { try layer.allowOnly(layerKeys) } }
        return try NetworkFile.parse(node, inputs: inputs, inputDescription: inputDescription, maxLayers: 32) { site in
            let (activation, alpha) = try NetworkFile.namedActivation(site)
            if logits && site.isLast && activation != .linear {
                throw site.node.fail("must be 'linear': the last layer gives the logits of the output head")
            }
            return (activation, alpha)
        }
    }

    /// The file format is documented in docs/formats/tagger_model.md.
    package static func parse(_ root: JSONNode) throws -> TaggerModel {
        let version = try root.expectFormat(formatName, versions: formatVersions)
        let kindNode = try root.member("kind")
        let kindName = try kindNode.string()
        guard let kind = Kind(rawValue: kindName) else { throw kindNode.fail("= '\(kindName)' is not a tagger kind (mlp, deep_sets)") }
        let headNode = try root.member("output")
        let headName = try headNode.string()
        guard let head = Head(rawValue: headName) else { throw headNode.fail("= '\(headName)' is not an output (sigmoid, softmax)") }
        let provenance = try root.optionalMember("provenance")?.string() ?? ""

        let (jetNames, jetScaling) = try inputs(root, "jet_features", scalingKey: "jet_scaling", version: version)
        var constituentNames: [String] = []
        var constituentScaling = FeatureScaling.identity(0)
        var phi: DenseNetwork?
        let network: DenseNetwork
        switch kind {
        case .mlp:
            for key in ["phi", "f", "constituent_features", "constituent_scaling"] where root.has(key) {
                throw root.fail("has '\(key)', which belongs to a deep_sets tagger, not an mlp")
            }
            try root.allowOnly(rootKeys(version: version, kind: kind))
            guard !jetNames.isEmpty else { throw TMLError.shape("\(root.path) jet_features is empty; an mlp needs at least one input") }
            network = try readNetwork(root.member("layers"), inputs: jetNames.count,
                                            inputDescription: "the model has \(jetNames.count) jet features", logits: true)
        case .deepSets:
            if root.has("layers") { throw root.fail("has 'layers'; a deep_sets tagger has 'phi' and 'f'") }
            (constituentNames, constituentScaling) = try inputs(root, "constituent_features",
                                                                scalingKey: "constituent_scaling", version: version)
            try root.allowOnly(rootKeys(version: version, kind: kind))
            guard !constituentNames.isEmpty else {
                throw TMLError.shape("\(root.path) constituent_features is empty; Phi needs at least one input")
            }
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
        return TaggerModel(version: version, kind: kind, head: head, jetFeatureNames: jetNames, constituentFeatureNames: constituentNames,
                           jetScaling: jetScaling, constituentScaling: constituentScaling, phi: phi,
                           network: network, classNames: classNames, provenance: provenance)
    }
}
