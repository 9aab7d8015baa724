import TrigMLKernels

/// Scoring in tiles of `laneWidth` candidates: features into a lanes-major
/// tile, the network on the tile, the sigmoid head, the NaN policy and the
/// working point.
extension T5Model {
    /// Scratch lane vectors one call needs after its tile: the tile
    /// network's, its outputs, and room for the one-candidate path (its
    /// input, output and scratch, in doubles).
    var scratchLanes: Int {
        let outputs = network.outputCount
        let singleDoubles = inputCount + max(laneWidth, outputs) + network.singleScratchCount
        return network.scratchCount + outputs + (singleDoubles + laneWidth - 1) / laneWidth
    }

    /// Runs `body(first, lanes, tile, scratch)` for every tile of the batch
    /// with the tile's inputs filled in (feature set, then extra inputs;
    /// standardised when `standardized`); `scratch` holds `scratchLanes`
    /// lane vectors. One allocation per call.
    @inline(__always)
    func forEachTile(_ batch: T5Batch, _ columns: T5ColumnView, standardized: Bool,
                     _ body: (Int, Int, UnsafeMutablePointer<Lanes>, UnsafeMutablePointer<Lanes>) -> Void) {
        let inputs = inputCount
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: inputs + scratchLanes) { buffer in
            guard let tile = buffer.baseAddress else { return }
            var first = 0
            while first < batch.t5Count {
                let lanes = min(laneWidth, batch.t5Count - first)
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
                for i in 0..<inputs { row[i] = Float(tile[i][lane]) }
            }
        }
    }

    /// Runs the network on every tile: `body(first, lanes, outputs, finite)`
    /// with the network's `outputCount` output vectors (the head not yet
    /// applied; lanes past `lanes` are zero) and the lanes whose inputs are
    /// all finite.
    @inline(__always)
    func forEachOutputTile(_ batch: T5Batch, _ columns: T5ColumnView,
                           _ body: (Int, Int, UnsafeMutablePointer<Lanes>, SIMDMask<Lanes.MaskStorage>) -> Void) {
        let inputs = inputCount, outputs = network.outputCount
        forEachTile(batch, columns, standardized: true) { first, lanes, tile, scratch in
            // NaN policy: a candidate with any non-finite input scores NaN
            // (ReLU would otherwise turn a NaN input into 0 and hide it).
            // x - x is 0 for finite x and NaN for +-inf or NaN.
            var finite = tile[0] - tile[0] .== 0
            for i in 1..<inputs { finite = finite .& (tile[i] - tile[i] .== 0) }
            let output = scratch + network.scratchCount
            if lanes == laneWidth {
                network.evaluate(input: tile, output: output, scratch: scratch)
            } else {
                // A partial tile (small batch, or the batch's tail): one
                // candidate at a time, same bits as the tile kernel.
                for k in 0..<outputs { output[k] = Lanes() }
                let single = UnsafeMutableRawPointer(output + outputs).assumingMemoryBound(to: Double.self)
                let result = single + inputs, work = result + max(laneWidth, outputs)
                for lane in 0..<lanes {
                    for i in 0..<inputs { single[i] = tile[i][lane] }
                    network.evaluateSingle(input: single, output: result, scratch: work)
                    for k in 0..<outputs { output[k][lane] = result[k] }
                }
            }
            body(first, lanes, output, finite)
        }
    }

    /// The sigmoid head on a logit vector, NaN where an input was not finite.
    @inline(__always)
    func sigmoidProbability(_ logit: Lanes, finite: SIMDMask<Lanes.MaskStorage>) -> Lanes {
        var probability = sigmoid(logit)
        probability.replace(with: .nan, where: .!finite)
        return probability
    }
}

extension T5Batch {
    /// Features of one candidate (for tests and tools): the tile path with
    /// one lane, so there is a single implementation.
    package func features(of t: Int, set: T5FeatureSet) -> [Float] {
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: set.inputCount) { buffer in
            guard let tile = buffer.baseAddress else { return [] }
            tileFeatures(first: t, lanes: 1, set: set, into: tile)
            return (0..<set.inputCount).map { Float(tile[$0][0]) }
        }
    }
}
