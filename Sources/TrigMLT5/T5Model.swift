import TrigMLCore
import TrigMLKernels

/// A loaded T5 model: feature set, host-column extra inputs, standardisation,
/// network, output head and named working points. Immutable, so one instance
/// serves every stream of a host at once.
package final class T5Model: JSONFileFormat {
    package let featureSet: T5FeatureSet
    /// Inputs read from the host's columns, after the feature set's (version 2).
    package let extraInputs: [T5ExtraInput]
    package let standardization: T5Standardization?
    package let network: DenseNetwork
    /// The same network in the float kernels' layout (the one that runs).
    package let floatNetwork: FloatNetwork
    package let head: T5Head
    /// At least one for a scoring model; none for an embedding model.
    package let workingPoints: [T5NamedWorkingPoint]
    package let provenance: String
    /// The working points' names as C strings, owned by the model (the
    /// handle) for tml_t5_model_working_point_name.
    package let workingPointCNames: [UnsafeMutablePointer<CChar>]
    /// The one-candidate-at-a-time form (T5FewCandidates.swift), when the model has one.
    package let few: T5FewCandidates?
    /// The kernel table `few` calls (it holds it unowned).
    private let fewKernels = KernelDispatch.active

    package init(featureSet: T5FeatureSet, extraInputs: [T5ExtraInput] = [], standardization: T5Standardization? = nil,
                 network: DenseNetwork, head: T5Head = .sigmoid, workingPoints: [T5NamedWorkingPoint],
                 provenance: String) throws {
        floatNetwork = try FloatNetwork(network)
        self.featureSet = featureSet
        self.extraInputs = extraInputs
        self.standardization = standardization
        self.network = network
        self.head = head
        self.workingPoints = workingPoints
        self.provenance = provenance
        few = T5FewCandidates.make(featureSet: featureSet, extraInputs: extraInputs, standardization: standardization,
                                   network: floatNetwork, head: head, workingPoints: workingPoints,
                                   kernels: fewKernels)
        workingPointCNames = workingPoints.map { point in
            let bytes = Array(point.name.utf8CString)
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
            copy.initialize(from: bytes, count: bytes.count)
            return copy
        }
    }

    deinit {
        for name in workingPointCNames { name.deallocate() }
    }

    /// Network inputs per candidate: the feature set's, then the extra inputs.
    package var inputCount: Int { featureSet.inputCount + extraInputs.count }

    package static let formatName = "trigml.t5-model"
    package static let formatVersions = 1...2
    static let maxLayers = 64

    /// The file format is documented in docs/formats/t5_model.md. Version-1
    /// and version-2 files are read into the same model and scored by the
    /// same code; a version-1 file is a version-2 model with no extra
    /// inputs, no standardisation, a sigmoid head and one working point.
    package static func parse(_ root: JSONNode) throws -> T5Model {
        try T5FileKind.refuseOtherKinds(root)
        let formatNode = try root.member("format")
        let format = try formatNode.string()
        guard format == formatName else { throw formatNode.fail("= '\(format)', expected '\(formatName)'") }
        let versionNode = try root.member("format_version")
        let version = try versionNode.int()
        guard formatVersions.contains(version) else {
            throw TMLError.unsupported("\(versionNode.path) = \(version); this library reads versions 1 and 2")
        }
        return version == 1 ? try parseVersion1(root) : try parseVersion2(root)
    }

    static let layerKeys = ["inputs", "outputs", "activation", "weights", "bias"]

    /// Version 1: the feature set's inputs, ReLU hidden layers, one sigmoid
    /// output (LST's T5 DNN, RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h),
    /// one `working_point`.
    static func parseVersion1(_ root: JSONNode) throws -> T5Model {
        try root.allowOnly(["format", "format_version", "feature_set", "provenance", "layers", "working_point"])
        let featureSet = try root.enumMember("feature_set", T5FeatureSet.self, choices: "lst-v2, lst-v1")
        let setName = featureSet.rawValue
        let provenance = try root.optionalMember("provenance")?.string() ?? ""
        let layersNode = try root.member("layers")
        for layer in try layersNode.array() { try layer.allowOnly(layerKeys) }
        let network = try NetworkFile.parse(layersNode, inputs: featureSet.inputCount,
                                            inputDescription: "feature set \(setName) has \(featureSet.inputCount) inputs",
                                            maxLayers: 16) { site in
            let name = try site.node.string()
            if site.isLast {
                guard name == "sigmoid", site.outputs == 1 else {
                    throw TMLError.shape("\(site.layer.path) is the output layer: it must have 1 output and activation 'sigmoid' (has \(site.outputs), '\(name)')")
                }
                return (.linear, 0)  // the sigmoid head is applied by the scorer
            }
            guard name == "relu" else {
                throw site.node.fail("= '\(name)'; hidden layers of the LST T5 DNN use 'relu'")
            }
            return (.relu, 0)
        }
        let workingPoint = try T5NamedWorkingPoint.parseUnnamed(root.member("working_point"))
        return try T5Model(featureSet: featureSet, network: network, workingPoints: [workingPoint], provenance: provenance)
    }

    /// The model compiled into the library (DefaultModel.swift, generated).
    package static func makeDefault() throws -> T5Model {
        try parse(text: defaultT5ModelJSON, source: "embedded default T5 model")
    }
}
