import TrigMLKernels

/// Scoring in tiles of `laneWidth` candidates: features into a lanes-major
/// tile, the network on the tile, the sigmoid head, the NaN policy and the
/// working point.
extension T5Model {
    /// Scratch lane vectors one call needs after its tile: the tile
    /// network's, its logit, and room for the one-candidate path (its input,
    /// output and scratch, in doubles).
    var scratchLanes: Int {
        let singleDoubles = featureSet.inputCount + laneWidth + network.singleScratchCount
        return network.scratchCount + 1 + (singleDoubles + laneWidth - 1) / laneWidth
    }

    /// Runs `body(first, lanes, tile, scratch)` for every tile of the batch
    /// with the tile's features filled in; `scratch` holds `scratchLanes`
    /// lane vectors. One allocation per call.
    @inline(__always)
    func forEachTile(_ batch: T5Batch,
                     _ body: (Int, Int, UnsafeMutablePointer<Lanes>, UnsafeMutablePointer<Lanes>) -> Void) {
        let inputs = featureSet.inputCount
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: inputs + scratchLanes) { buffer in
            guard let tile = buffer.baseAddress else { return }
            var first = 0
            while first < batch.t5Count {
                let lanes = min(laneWidth, batch.t5Count - first)
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
                for i in 0..<inputs { row[i] = Float(tile[i][lane]) }
            }
        }
    }

    /// Sigmoid scores; `pass` (optional) from the working point.
    package func score(_ batch: T5Batch, score: UnsafeMutablePointer<Float>, pass: UnsafeMutablePointer<UInt8>?) {
        let inputs = featureSet.inputCount
        forEachTile(batch) { first, lanes, tile, scratch in
            // NaN policy: a candidate with any non-finite feature scores NaN
            // (ReLU would otherwise turn a NaN input into 0 and hide it).
            // x - x is 0 for finite x and NaN for +-inf or NaN.
            var finite = tile[0] - tile[0] .== 0
            for i in 1..<inputs { finite = finite .& (tile[i] - tile[i] .== 0) }
            var probability: Lanes
            if lanes == laneWidth {
                let logit = scratch + network.scratchCount
                network.evaluate(input: tile, output: logit, scratch: scratch)
                probability = sigmoid(logit[0])
            } else {
                // A partial tile (small batch, or the batch's tail): one
                // candidate at a time, same bits as the tile kernel.
                probability = Lanes()
                let single = UnsafeMutableRawPointer(scratch + network.scratchCount + 1)
                    .assumingMemoryBound(to: Double.self)
                let output = single + inputs, work = output + laneWidth
                for lane in 0..<lanes {
                    for i in 0..<inputs { single[i] = tile[i][lane] }
                    network.evaluateSingle(input: single, output: output, scratch: work)
                    probability[lane] = sigmoid(Lanes(repeating: output[0]))[0]
                }
            }
            probability.replace(with: .nan, where: .!finite)
            for lane in 0..<lanes {
                let t = first + lane
                let s = Float(probability[lane])
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
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: set.inputCount) { buffer in
            guard let tile = buffer.baseAddress else { return [] }
            tileFeatures(first: t, lanes: 1, set: set, into: tile)
            return (0..<set.inputCount).map { Float(tile[$0][0]) }
        }
    }
}
