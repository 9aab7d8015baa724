import TrigMLCore
import TrigMLKernels

/// A loaded tagger: an MLP over jet features, or a Deep Sets tagger
/// (per-constituent network Phi, sum pooling over each jet's constituents,
/// network F over [pooled Phi outputs, jet features]). Immutable, so one
/// instance serves any number of threads at once.
public final class TaggerModel {
    public enum Kind: String {
        case mlp
        case deepSets = "deep_sets"
    }

    public enum Head: String {
        case sigmoid
        case softmax
    }

    public let kind: Kind
    public let head: Head
    public let jetFeatureNames: [String]
    public let constituentFeatureNames: [String]
    public let jetScaling: FeatureScaling
    public let constituentScaling: FeatureScaling
    /// Deep Sets only: the per-constituent network.
    public let phi: DenseNetwork?
    /// The MLP, or Deep Sets' F; its last layer is linear (the logits).
    public let network: DenseNetwork
    public let classNames: [String]
    public let provenance: String

    public var jetFeatureCount: Int { jetFeatureNames.count }
    public var constituentFeatureCount: Int { constituentFeatureNames.count }
    public var outputCount: Int { network.outputCount }
    /// Width of the pooled vector (0 for an MLP).
    public var latentCount: Int { phi?.outputCount ?? 0 }

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

    public static let formatName = "trigml.tagger"
    public static let formatVersion = 1
    static let maxFeatures = 4096

    public static func load(path: String) throws -> TaggerModel {
        try parse(JSONNode.load(file: path))
    }

    public static func parse(text: String, source: String) throws -> TaggerModel {
        try parse(JSONNode.parse(text: text, source: source))
    }

    static func names(_ node: JSONNode) throws -> [String] {
        let items = try node.array()
        guard items.count <= maxFeatures else {
            throw TMLError.shape("\(node.path) lists \(items.count) features; at most \(maxFeatures)")
        }
        return try items.map { try $0.string() }
    }

    /// The file format is documented in README.md ("Tagger model file").
    public static func parse(_ root: JSONNode) throws -> TaggerModel {
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
            network = try NetworkFile.parse(root.member("layers"), inputs: jetNames.count,
                                            inputDescription: "the model has \(jetNames.count) jet features", logits: true)
        case .deepSets:
            if root.has("layers") { throw root.fail("has 'layers'; a deep_sets tagger has 'phi' and 'f'") }
            constituentNames = try names(root.member("constituent_features"))
            guard !constituentNames.isEmpty else {
                throw TMLError.shape("\(root.path) constituent_features is empty; Phi needs at least one input")
            }
            constituentScaling = try FeatureScaling.parse(root.optionalMember("constituent_scaling"), count: constituentNames.count)
            let phiNetwork = try NetworkFile.parse(root.member("phi"), inputs: constituentNames.count,
                                                   inputDescription: "the model has \(constituentNames.count) constituent features",
                                                   logits: false)
            let fInputs = phiNetwork.outputCount + jetNames.count
            network = try NetworkFile.parse(root.member("f"), inputs: fInputs,
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
