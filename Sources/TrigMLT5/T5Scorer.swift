import TrigMLCore
import TrigMLCPU
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

/// A tile with fewer candidates than this runs them one at a time through
/// the one-candidate kernel (outputs on the lanes, LST's loop shape): a
/// tile pass costs the same for 1 or 16 candidates, one candidate's pass
/// about a sixth of a tile's (bench/RESULTS.md, batches 1 and 16). Same bits
/// either way (Tests/TrigMLKernelsTests/FloatNetworkTests.swift).
@inlinable var oneByOneBelow: Int { 6 }

/// A whole call with fewer candidates than this takes the one-candidate
/// road of T5FewCandidates.swift (its features are computed for one
/// candidate, not a tile's worth, so it stays ahead of a tile pass for
/// longer): measured here, about 0.17 us per candidate on that road against
/// about 2 us for a tile pass of 1 to 16 candidates, even at 12 (bench
/// harness, calls of 4 to 16 candidates).
@inlinable var fewCandidatesBelow: Int { 12 }

extension T5Model {
    /// Scratch floats a call needs besides its input tile: the tile
    /// network's ping-pong buffers and outputs, or the one-candidate pass's
    /// inputs, outputs and buffers, whichever is larger.
    var scratchLanes: Int {
        let tile = floatNetwork.tileScratchCount + floatNetwork.outputCount
        let single = inputCount + floatNetwork.maxStride + floatNetwork.singleScratchCount
        return max(tile, floatNetwork.outputCount + (single + floatLaneWidth - 1) / floatLaneWidth)
    }

    /// Runs `body(first, lanes, tile, scratch)` for every tile of the batch
    /// with the tile's inputs filled in (feature set, then extra inputs;
    /// standardised when `standardized`); `scratch` holds `scratchLanes`
    /// lane vectors, from the thread's scratch (ThreadScratch): no allocation
    /// once the thread has run a call of this size.
    @inline(__always)
    func forEachTile(_ batch: T5Batch, _ columns: T5ColumnView, standardized: Bool, kernels: KernelTable,
                     _ body: (Int, Int, UnsafeMutablePointer<FloatLanes>, UnsafeMutablePointer<FloatLanes>) -> Void) throws {
        let inputs = inputCount, vectors = inputCount + scratchLanes
        try ThreadScratch.with(bytes: vectors * MemoryLayout<FloatLanes>.stride, for: "a T5 call") { memory in
            let tile = memory.bindMemory(to: FloatLanes.self, capacity: vectors)
            var first = 0
            while first < batch.t5Count {
                let lanes = min(floatLaneWidth, batch.t5Count - first)
                batch.tileFeatures(first: first, lanes: lanes, set: featureSet, into: tile, kernels: kernels)
                completeTile(batch, columns, first: first, lanes: lanes, tile, standardized: standardized)
                body(first, lanes, tile, tile + inputs)
                first += lanes
            }
        }
    }

    /// `n_t5 x inputCount` inputs, row-major, before standardisation.
    package func features(_ batch: T5Batch, _ columns: T5ColumnView = .none, into out: UnsafeMutablePointer<Float>) throws {
        let inputs = inputCount
        try forEachTile(batch, columns, standardized: false, kernels: KernelDispatch.active) { first, lanes, tile, _ in
            for lane in 0..<lanes {
                let row = out + (first + lane) * inputs
                for i in 0..<inputs { row[i] = tile[i][lane] }
            }
        }
    }

    /// Runs the network on every tile: `body(first, lanes, outputs, finite)`
    /// with the network's `outputCount` output vectors (the head not yet
    /// applied; lanes past `lanes` hold no candidate) and the lanes whose
    /// inputs are all finite. Lanes never mix, and the one-candidate pass
    /// computes each output as the same chain, so a candidate's bits do not
    /// depend on the batch size or its tile position.
    @inline(__always)
    func forEachOutputTile(_ batch: T5Batch, _ columns: T5ColumnView,
                           _ body: (Int, Int, UnsafeMutablePointer<FloatLanes>, SIMDMask<FloatLanes.MaskStorage>) -> Void) throws {
        let inputs = inputCount, outputs = floatNetwork.outputCount
        let biasOrder = featureSet.biasOrder
        let kernels = KernelDispatch.active
        try forEachTile(batch, columns, standardized: true, kernels: kernels) { first, lanes, tile, scratch in
            // NaN policy: a candidate with any non-finite input scores NaN.
            // LST's ReLU would turn the NaN into 0 and give every such
            // candidate one constant score (below every cut); a NaN says
            // what happened. x - x is 0 for finite x and NaN for +-inf or NaN.
            let output = scratch
            if lanes >= oneByOneBelow {
                var finite = tile[0] - tile[0] .== 0
                for i in 1..<inputs { finite = finite .& (tile[i] - tile[i] .== 0) }
                floatNetwork.evaluate(input: tile, output: output, scratch: scratch + outputs, biasOrder: biasOrder,
                                      kernels: kernels)
                body(first, lanes, output, finite)
            } else {
                var finite = SIMDMask<FloatLanes.MaskStorage>(repeating: false)
                let floats = UnsafeMutableRawPointer(scratch + outputs).assumingMemoryBound(to: Float.self)
                let input = floats, result = floats + inputs, work = result + floatNetwork.maxStride
                let tileFloats = UnsafeMutableRawPointer(tile).assumingMemoryBound(to: Float.self)
                let outputFloats = UnsafeMutableRawPointer(output).assumingMemoryBound(to: Float.self)
                for k in 0..<outputs { output[k] = FloatLanes() }
                for lane in 0..<lanes {
                    var laneFinite = true
                    for i in 0..<inputs {
                        let value = tileFloats[i * floatLaneWidth + lane]
                        input[i] = value
                        laneFinite = laneFinite && value - value == 0
                    }
                    finite[lane] = laneFinite
                    floatNetwork.evaluateSingle(input: input, output: result, scratch: work, biasOrder: biasOrder,
                                                kernels: kernels)
                    for k in 0..<outputs { outputFloats[k * floatLaneWidth + lane] = result[k] }
                }
                body(first, lanes, output, finite)
            }
        }
    }

    /// LST's sigmoid head on the first `lanes` lanes of a logit vector, NaN
    /// where an input was not finite.
    @inline(__always)
    func sigmoidProbability(_ logit: FloatLanes, lanes: Int, finite: SIMDMask<FloatLanes.MaskStorage>) -> FloatLanes {
        lstSigmoid(logit, lanes: lanes).replacing(with: .nan, where: .!finite)
    }
}

extension T5Batch {
    /// Features of one candidate (for tests and tools): the tile path with
    /// one lane, so there is a single implementation.
    package func features(of t: Int, set: T5FeatureSet) -> [Float] {
        withUnsafeTemporaryAllocation(of: FloatLanes.self, capacity: set.inputCount) { buffer in
            guard let tile = buffer.baseAddress else { return [] }
            tileFeatures(first: t, lanes: 1, set: set, into: tile, kernels: KernelDispatch.active)
            return (0..<set.inputCount).map { tile[$0][0] }
        }
    }
}
