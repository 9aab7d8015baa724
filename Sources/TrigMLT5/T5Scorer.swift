import TrigMLKernels

/// Scoring in tiles of `laneWidth` candidates: features (double precision,
/// rounded once) into a lanes-major tile, the network on the tile, the
/// sigmoid head, the NaN policy and the working point.
extension T5Model {
    /// `n_t5 x inputCount` features, row-major.
    public func features(_ batch: T5Batch, into out: UnsafeMutablePointer<Float>) {
        let n = featureSet.inputCount
        for t in 0..<batch.t5Count {
            let row = out + t * n
            batch.features(of: t, set: featureSet) { row[$0] = $1 }
        }
    }

    /// Sigmoid scores; `pass` (optional) from the working point.
    public func score(_ batch: T5Batch, score: UnsafeMutablePointer<Float>, pass: UnsafeMutablePointer<UInt8>?) {
        let inputs = featureSet.inputCount
        let count = batch.t5Count
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: inputs + network.scratchCount + 1) { buffer in
            guard let base = buffer.baseAddress else { return }
            let tile = base
            let scratch = base + inputs
            let logit = base + inputs + network.scratchCount
            let tileFloats = UnsafeMutableRawPointer(tile).assumingMemoryBound(to: Float.self)
            var first = 0
            while first < count {
                let lanes = min(laneWidth, count - first)
                // Unused lanes of the last tile repeat its first candidate, so
                // every lane holds finite-or-not data from the batch itself.
                for lane in 0..<laneWidth {
                    let t = first + (lane < lanes ? lane : 0)
                    batch.features(of: t, set: featureSet) { tileFloats[$0 * laneWidth + lane] = $1 }
                }
                var finite = SIMDMask<Lanes.MaskStorage>(repeating: true)
                for i in 0..<inputs {
                    let v = tile[i]
                    // x - x is 0 for finite x and NaN for +-inf or NaN.
                    finite = finite .& ((v - v) .== 0)
                }
                network.evaluate(input: tile, output: logit, scratch: scratch)
                var probability = sigmoid(logit[0])
                probability.replace(with: .nan, where: .!finite)
                for lane in 0..<lanes {
                    let t = first + lane
                    let s = probability[lane]
                    score[t] = s
                    if let pass {
                        let cut = workingPoint.cut(innerRadius: batch.innerRadius(t), eta1: batch.eta[batch.anchors(t).0])
                        pass[t] = s > cut ? 1 : 0
                    }
                }
                first += lanes
            }
        }
    }
}
