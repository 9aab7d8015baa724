import TrigMLKernels

/// Scoring in tiles of `floatLaneWidth` candidates: features into a
/// lanes-major float tile, the network in LST's float order, LST's sigmoid,
/// the NaN policy and the working point. Every step works lane by lane, so
/// a candidate's bits do not depend on the batch size or its tile position.
extension T5FeatureSet {
    /// Where the bias enters each neuron's float sum in the LST generation
    /// this feature set comes from: first in v2 (`linear_layer`, cmssw
    /// RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h at 719e09e3), last in
    /// v1 (the hand-written loops of NeuralNetwork.h at 2181e6aa).
    package var biasOrder: BiasOrder {
        switch self {
        case .lstV2: return .first
        case .lstV1: return .last
        }
    }
}

extension T5Model {
    /// Scratch float lane vectors one call needs after its tile: the
    /// network's ping-pong buffers and its outputs.
    var scratchLanes: Int { network.floatScratchCount + network.outputCount }

    /// Runs `body(first, lanes, tile, scratch)` for every tile of the batch
    /// with the tile's features filled in; `scratch` holds `scratchLanes`
    /// lane vectors. One stack allocation per call.
    @inline(__always)
    func forEachTile(_ batch: T5Batch,
                     _ body: (Int, Int, UnsafeMutablePointer<FloatLanes>, UnsafeMutablePointer<FloatLanes>) -> Void) {
        let inputs = featureSet.inputCount
        withUnsafeTemporaryAllocation(of: FloatLanes.self, capacity: inputs + scratchLanes) { buffer in
            guard let tile = buffer.baseAddress else { return }
            var first = 0
            while first < batch.t5Count {
                let lanes = min(floatLaneWidth, batch.t5Count - first)
                batch.tileFeatures(first: first, lanes: lanes, set: featureSet, into: tile)
                body(first, lanes, tile, tile + inputs)
                first += lanes
            }
        }
    }

    /// `n_t5 x inputCount` features, row-major.
    package func features(_ batch: T5Batch, into out: UnsafeMutablePointer<Float>) {
        let inputs = featureSet.inputCount
        forEachTile(batch) { first, lanes, tile, _ in
            for lane in 0..<lanes {
                let row = out + (first + lane) * inputs
                for i in 0..<inputs { row[i] = tile[i][lane] }
            }
        }
    }

    /// Sigmoid scores; `pass` (optional) from the working point.
    package func score(_ batch: T5Batch, score: UnsafeMutablePointer<Float>, pass: UnsafeMutablePointer<UInt8>?) {
        let inputs = featureSet.inputCount
        let biasOrder = featureSet.biasOrder
        forEachTile(batch) { first, lanes, tile, scratch in
            // NaN policy: a candidate with any non-finite feature scores NaN.
            // LST's ReLU would turn the NaN into 0 and give every such
            // candidate one constant score (below every cut); a NaN says
            // what happened. x - x is 0 for finite x and NaN for +-inf or NaN.
            var finite = tile[0] - tile[0] .== 0
            for i in 1..<inputs { finite = finite .& (tile[i] - tile[i] .== 0) }
            let logit = scratch + network.floatScratchCount
            network.evaluateFloat(input: tile, output: logit, scratch: scratch, biasOrder: biasOrder)
            let probability = lstSigmoid(logit[0]).replacing(with: .nan, where: .!finite)
            for lane in 0..<lanes {
                let t = first + lane
                let s = probability[lane]
                score[t] = s
                if let pass {
                    let cut = workingPoint.cut(innerRadius: batch.innerRadius(t), eta1: batch.eta[batch.anchors(t).0])
                    pass[t] = s > cut ? 1 : 0
                }
            }
        }
    }
}

extension T5Batch {
    /// Features of one candidate (for tests and tools): the tile path with
    /// one lane, so there is a single implementation.
    package func features(of t: Int, set: T5FeatureSet) -> [Float] {
        withUnsafeTemporaryAllocation(of: FloatLanes.self, capacity: set.inputCount) { buffer in
            guard let tile = buffer.baseAddress else { return [] }
            tileFeatures(first: t, lanes: 1, set: set, into: tile)
            return (0..<set.inputCount).map { tile[$0][0] }
        }
    }
}
