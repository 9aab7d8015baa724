import TrigMLCore
import TrigMLKernels

/// What a T5 network's last layer means.
///
/// - `sigmoid`: one logistic output, the score itself (LST's T5 DNN v1/v2,
///   cmssw RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h).
/// - `softmax`: K >= 2 class probabilities (LST's T3 and T4 DNNs are 3-class
///   fake/prompt/displaced softmax networks, cms-sw/cmssw#47618 and #49529),
///   cut on a score derived from them (1 - P(fake), or one class's P).
/// - `embedding`: D linear outputs, a point in a metric space whose distances
///   replace the dR duplicate removal (cms-sw/cmssw#48249, D = 6).
package enum T5Head: Equatable {
    case sigmoid
    case softmax(classes: [String], score: T5ScoreDefinition)
    case embedding(dimension: Int)

    /// Probabilities per candidate: 1 (sigmoid), K (softmax), 0 (embedding).
    package var classCount: Int {
        switch self {
        case .sigmoid: return 1
        case .softmax(let classes, _): return classes.count
        case .embedding: return 0
        }
    }

    package var embeddingDimension: Int {
        if case .embedding(let dimension) = self { return dimension }
        return 0
    }

    package var isEmbedding: Bool { embeddingDimension > 0 }
}

/// The score a softmax model is cut on: 1 - P(class) or P(class).
package struct T5ScoreDefinition: Equatable {
    package let oneMinus: Bool
    /// Index into the model's classes.
    package let classIndex: Int

    static func parse(_ node: JSONNode, classes: [String], classesPath: String) throws -> T5ScoreDefinition {
        try node.allowOnly(["kind", "class"])
        let kindNode = try node.member("kind")
        let kind = try kindNode.string()
        guard kind == "one_minus" || kind == "probability" else {
            throw kindNode.fail("= '\(kind)' is not a score kind (one_minus: 1 - P(class), probability: P(class))")
        }
        let classNode = try node.member("class")
        let name = try classNode.string()
        guard let index = classes.firstIndex(of: name) else {
            throw classNode.fail("= '\(name)' is not one of \(classesPath) (\(classes.joined(separator: ", ")))")
        }
        return T5ScoreDefinition(oneMinus: kind == "one_minus", classIndex: index)
    }
}

extension T5Head {
    /// The head of a version-2 file from its last layer and the top-level
    /// `classes`, `score` and `embedding` members. `lastActivation` is the
    /// last layer's activation, `lastLayer` that layer.
    static func parse(_ root: JSONNode, lastLayer: JSONNode, lastActivation: String, outputs: Int) throws -> T5Head {
        let classesNode = try root.optionalMember("classes")
        let scoreNode = try root.optionalMember("score")
        let embeddingNode = try root.optionalMember("embedding")
        let outputNode = try lastLayer.optionalMember("output")
        func refuse(_ node: JSONNode?, _ why: String) throws {
            if let node { throw node.fail(why) }
        }
        switch lastActivation {
        case "sigmoid":
            guard outputs == 1 else {
                throw TMLError.shape("\(lastLayer.path) is a sigmoid output layer: it must have 1 output (has \(outputs)); use 'softmax' for several classes")
            }
            try refuse(classesNode, "is only for a softmax output layer (this model's is a sigmoid)")
            try refuse(scoreNode, "is only for a softmax output layer (a sigmoid output is the score)")
            try refuse(embeddingNode, "is only for an embedding model (last layer 'linear')")
            try refuse(outputNode, "is only for an embedding model's last layer (\"output\": \"embedding\", activation 'linear')")
            return .sigmoid
        case "softmax":
            guard outputs >= 2 else {
                throw TMLError.shape("\(lastLayer.path) is a softmax output layer: it needs at least 2 outputs (has \(outputs)); use 'sigmoid' for one")
            }
            try refuse(embeddingNode, "is only for an embedding model (last layer 'linear')")
            try refuse(outputNode, "is only for an embedding model's last layer (\"output\": \"embedding\", activation 'linear')")
            guard let classesNode else {
                throw TMLError.format("\(root.path) classes is missing: a softmax output layer needs one class name per output")
            }
            let classItems = try classesNode.array()
            guard classItems.count == outputs else {
                throw TMLError.format("\(classesNode.path) has \(classItems.count) names but \(lastLayer.path) has \(outputs) outputs")
            }
            var classes: [String] = []
            for item in classItems {
                let name = try item.string()
                guard !name.isEmpty else { throw item.fail("is empty; a class needs a name") }
                guard !classes.contains(name) else { throw item.fail("= '\(name)' appears twice") }
                classes.append(name)
            }
            guard let scoreNode else {
                throw TMLError.format("\(root.path) score is missing: a softmax model says what it is cut on ({\"kind\": \"one_minus\", \"class\": \"fake\"} or {\"kind\": \"probability\", \"class\": ...})")
            }
            let score = try T5ScoreDefinition.parse(scoreNode, classes: classes, classesPath: classesNode.path)
            return .softmax(classes: classes, score: score)
        case "linear":
            try refuse(classesNode, "is not for an embedding model (its outputs are coordinates, not classes)")
            try refuse(scoreNode, "is not for an embedding model (use tml_t5_embed)")
            if let outputNode {
                let output = try outputNode.string()
                guard output == "embedding" else { throw outputNode.fail("= '\(output)'; the only output kind is 'embedding'") }
            }
            if let embeddingNode {
                try embeddingNode.allowOnly(["dim"])
                let dimNode = try embeddingNode.member("dim")
                let dim = try dimNode.int(min: 1, max: NetworkFile.maxWidth)
                guard dim == outputs else {
                    throw dimNode.fail("= \(dim) but \(lastLayer.path) has \(outputs) outputs")
                }
            }
            guard outputNode != nil || embeddingNode != nil else {
                throw TMLError.format("\(lastLayer.path) has activation 'linear': only an embedding model ends linearly; mark it with \"output\": \"embedding\" on that layer (or \"embedding\": {\"dim\": \(outputs)})")
            }
            return .embedding(dimension: outputs)
        default:
            throw try lastLayer.member("activation").fail("= '\(lastActivation)' cannot end a T5 network (sigmoid, softmax, or linear for an embedding)")
        }
    }
}
