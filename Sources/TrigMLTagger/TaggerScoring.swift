import TrigMLCPU
import TrigMLKernels

/// Batched scoring with jets on SIMD lanes. A tile holds `laneWidth` jets:
/// their jet features (scaled) and, for Deep Sets, their pooled Phi outputs
/// form F's input vectors. Phi runs over the tile's constituents as one
/// stream of `laneWidth`-constituent tiles (crossing jet boundaries), and
/// each constituent's outputs are added to its jet's sums in constituent
/// order, so every sum is sequential and results never depend on the tile
/// a jet lands in, the batch size or the thread count.
extension TaggerModel {
    /// Probabilities of every jet into `out[jetCount * outputCount]`,
    /// row-major. `batch` must have been read for this model.
    package func score(_ batch: JetBatch, into out: UnsafeMutablePointer<Float>) {
        let latent = latentCount
        let jetFeatures = jetFeatureCount
        let fInputs = network.inputCount
        let outputs = outputCount
        let phiScratch = phi?.scratchCount ?? 0
        let constituentInputs = phi == nil ? 0 : constituentFeatureCount
        let capacity = fInputs + network.scratchCount + outputs + constituentInputs + phiScratch + latent
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: capacity) { buffer in
            guard let tile = buffer.baseAddress else { return }
            let scratch = tile + fInputs
            let logits = scratch + network.scratchCount
            let constituentTile = logits + outputs
            let phiWork = constituentTile + constituentInputs
            let phiOut = phiWork + phiScratch
            var first = 0
            while first < batch.jetCount {
                let lanes = min(laneWidth, batch.jetCount - first)
                var finite = SIMDMask<Lanes.MaskStorage>(repeating: true)
                for i in 0..<fInputs { tile[i] = Lanes() }
                // Jet features after the pooled block (F's input order).
                jetScaling.fillTile(tile + latent, from: batch.jetFeatures + first * jetFeatures,
                                    rows: lanes, finite: &finite)
                if let phi {
                    pool(phi, batch, firstJet: first, jets: lanes, into: tile, finite: &finite,
                         constituentTile: constituentTile, work: phiWork, phiOut: phiOut)
                }
                network.evaluate(input: tile, output: logits, scratch: scratch)
                applyHead(logits)
                for lane in 0..<lanes {
                    let row = out + (first + lane) * outputs
                    for k in 0..<outputs { row[k] = finite[lane] ? Float(logits[k][lane]) : .nan }
                }
                first += lanes
            }
        }
    }

    /// Adds Phi(constituent) of every constituent of jets
    /// `firstJet ..< firstJet + jets` to lane (jet - firstJet) of the
    /// first `latentCount` vectors of `tile` (already zero).
    @inline(__always)
    func pool(_ phi: DenseNetwork, _ batch: JetBatch, firstJet: Int, jets: Int,
              into tile: UnsafeMutablePointer<Lanes>, finite: inout SIMDMask<Lanes.MaskStorage>,
              constituentTile: UnsafeMutablePointer<Lanes>, work: UnsafeMutablePointer<Lanes>,
              phiOut: UnsafeMutablePointer<Lanes>) {
        let features = constituentFeatureCount
        let latent = latentCount
        let end = batch.offsets[firstJet + jets]
        var c = batch.offsets[firstJet]
        var jetLane = 0
        while c < end {
            let n = min(laneWidth, end - c)
            var constituentFinite = SIMDMask<Lanes.MaskStorage>(repeating: true)
            for k in 0..<features { constituentTile[k] = Lanes() }
            constituentScaling.fillTile(constituentTile, from: batch.constituentFeatures + c * features,
                                        rows: n, finite: &constituentFinite)
            phi.evaluate(input: constituentTile, output: phiOut, scratch: work)
            for lane in 0..<n {
                let index = c + lane
                while index >= batch.offsets[firstJet + jetLane + 1] { jetLane += 1 }
                for l in 0..<latent { tile[l][jetLane] += phiOut[l][lane] }
                if !constituentFinite[lane] { finite[jetLane] = false }
            }
            c += n
        }
    }

    /// Logits to probabilities in place: the guarded sigmoid for one output;
    /// softmax as exp(z_k - max z) / sum, the sum in class order.
    @inline(__always)
    func applyHead(_ logits: UnsafeMutablePointer<Lanes>) {
        switch head {
        case .sigmoid:
            logits[0] = sigmoid(logits[0])
        case .softmax:
            let count = outputCount
            var largest = logits[0]
            for k in 1..<count { largest = pointwiseMax(largest, logits[k]) }
            var sum = Lanes()
            for k in 0..<count {
                let e = expNonPositive(logits[k] - largest)
                logits[k] = e
                sum += e
            }
            for k in 0..<count { logits[k] = logits[k] / sum }
        }
    }
}
