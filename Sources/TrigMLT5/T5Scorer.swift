import TrigMLKernels

/// Scoring in tiles of `floatLaneWidth` candidates: features and extra
/// inputs into a lanes-major float tile, the standardisation, the network in
/// LST's float order, then the head (T5Evaluation.swift). Every step works
/// lane by lane, so a candidate's bits do not depend on the batch size or
/// its tile position.
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
    /// with the tile's inputs filled in (feature set, then extra inputs;
    /// standardised when `standardized`); `scratch` holds `scratchLanes`
    /// lane vectors. One stack allocation per call.
    @inline(__always)
    func forEachTile(_ batch: T5Batch, _ columns: T5ColumnView, standardized: Bool,
                     _ body: (Int, Int, UnsafeMutablePointer<FloatLanes>, UnsafeMutablePointer<FloatLanes>) -> Void) {
        let inputs = inputCount
        withUnsafeTemporaryAllocation(of: FloatLanes.self, capacity: inputs + scratchLanes) { buffer in
            guard let tile = buffer.baseAddress else { return }
            var first = 0
            while first < batch.t5Count {
                let lanes = min(floatLaneWidth, batch.t5Count - first)
                batch.tileFeatures(first: first, lanes: lanes, set: featureSet, into: tile)
                completeTile(batch, columns, first: first, lanes: lanes, tile, standardized: standardized)
                body(first, lanes, tile, tile + inputs)
                first += lanes
            }
        }
    }

    /// `n_t5 x inputCount` inputs, row-major, before standardisation.
    package func features(_ batch: T5Batch, _ columns: T5ColumnView = .none, into out: UnsafeMutablePointer<Float>) {
        let inputs = inputCount
        forEachTile(batch, columns, standardized: false) { first, lanes, tile, _ in
            for lane in 0..<lanes {
                let row = out + (first + lane) * inputs
                for i in 0..<inputs { row[i] = tile[i][lane] }
            }
        }
    }

    /// Runs the network on every tile: `body(first, lanes, outputs, finite)`
    /// with the network's `outputCount` output vectors (the head not yet
    /// applied) and the lanes whose inputs are all finite. A partial tile
    /// runs the same kernel (its spare lanes hold zeros and are ignored):
    /// lanes never mix, so a candidate's bits are those of a full tile.
    @inline(__always)
    func forEachOutputTile(_ batch: T5Batch, _ columns: T5ColumnView,
                           _ body: (Int, Int, UnsafeMutablePointer<FloatLanes>, SIMDMask<FloatLanes.MaskStorage>) -> Void) {
        let inputs = inputCount
        let biasOrder = featureSet.biasOrder
        forEachTile(batch, columns, standardized: true) { first, lanes, tile, scratch in
            // NaN policy: a candidate with any non-finite input scores NaN.
            // LST's ReLU would turn the NaN into 0 and give every such
            // candidate one constant score (below every cut); a NaN says
            // what happened. x - x is 0 for finite x and NaN for +-inf or NaN.
            var finite = tile[0] - tile[0] .== 0
            for i in 1..<inputs { finite = finite .& (tile[i] - tile[i] .== 0) }
            let output = scratch + network.floatScratchCount
            network.evaluateFloat(input: tile, output: output, scratch: scratch, biasOrder: biasOrder)
            body(first, lanes, output, finite)
        }
    }

    /// LST's sigmoid head on a logit vector, NaN where an input was not finite.
    @inline(__always)
    func sigmoidProbability(_ logit: FloatLanes, finite: SIMDMask<FloatLanes.MaskStorage>) -> FloatLanes {
        lstSigmoid(logit).replacing(with: .nan, where: .!finite)
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
