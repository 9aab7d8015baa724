import TrigMLCore
import TrigMLKernels

/// A loaded T5 model: feature set, network, working point. Immutable, so
/// one instance serves every stream of a host at once.
package final class T5Model: JSONFileFormat {
    package let featureSet: T5FeatureSet
    package let network: DenseNetwork
    package let workingPoint: T5WorkingPoint
    package let provenance: String

    package init(featureSet: T5FeatureSet, network: DenseNetwork, workingPoint: T5WorkingPoint, provenance: String) {
        self.featureSet = featureSet
        self.network = network
        self.workingPoint = workingPoint
        self.provenance = provenance
    }

    package static let formatName = "trigml.t5-model"
    package static let formatVersion = 1

    /// The file format is documented in docs/formats/t5_model.md.
    package static func parse(_ root: JSONNode) throws -> T5Model {
        try root.expectFormat(formatName, version: formatVersion)
        let featureSet = try root.enumMember("feature_set", T5FeatureSet.self, choices: "lst-v2, lst-v1")
        let setName = featureSet.rawValue
        let provenance = try root.optionalMember("provenance")?.string() ?? ""

        // LST's T5 DNN: ReLU hidden layers, one sigmoid output
        // (RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h).
        let network = try NetworkFile.parse(root.member("layers"), inputs: featureSet.inputCount,
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
        let workingPoint = try T5WorkingPoint.parse(root.member("working_point"))
        return T5Model(featureSet: featureSet, network: network,
                       workingPoint: workingPoint, provenance: provenance)
    }

    /// The model compiled into the library (DefaultModel.swift, generated).
    package static func makeDefault() throws -> T5Model {
        try parse(text: defaultT5ModelJSON, source: "embedded default T5 model")
    }
}
