import TrigMLCore
import TrigMLCPU
import TrigMLKernels

/// The call of a host that scores candidate by candidate, as LST's own
/// per-thread loop does (`tml_t5_score` with fewer than `fewCandidatesBelow`
/// candidates), on a sigmoid model of LST v2 features with no host columns:
/// one kernel call per candidate (features and network, T5SingleCandidate.swift),
/// then LST's sigmoid and the first working point's cut. Nothing is
/// reference counted or set up per call.
///
/// It computes exactly what the tile path computes (same features, same
/// float chain per output, same head), and it accepts exactly the calls the
/// general path accepts: every pointer, count and index of the chain is
/// checked before anything is written, and a call it does not take
/// (anything unusual, any error) goes to the general path, which names the
/// problem.
package struct T5FewCandidates {
    let layers: UnsafePointer<FloatLayerRecord>
    let layerCount: Int
    let maxStride: Int
    let biasFirst: Bool
    /// The active path's kernels, kept alive by the model (T5Model.fewKernels),
    /// so no reference is counted per call.
    unowned(unsafe) let kernels: KernelTable
    let cut: T5CutSource

    /// The few-candidate form of a model, or nil when the model needs the
    /// general path (other feature sets, host columns, standardisation,
    /// other heads, networks too wide for the one-candidate buffers). Valid
    /// while the model (which owns the network and the working points) lives.
    static func make(featureSet: T5FeatureSet, extraInputs: [T5ExtraInput], standardization: T5Standardization?,
                     network: FloatNetwork, head: T5Head, workingPoints: [T5NamedWorkingPoint],
                     kernels: KernelTable) -> T5FewCandidates? {
        guard featureSet == .lstV2, extraInputs.isEmpty, standardization == nil, head == .sigmoid,
              network.maxStride <= t5SingleMaxStride, let point = workingPoints.first?.point else { return nil }
        return T5FewCandidates(layers: network.layers, layerCount: network.layerCount, maxStride: network.maxStride,
                               biasFirst: featureSet.biasOrder == .first,
                               kernels: kernels, cut: point.cutSource)
    }

    /// Scores and pass flags of every candidate of `b`, or false (nothing
    /// written) when the call is not one this path takes.
    package func score(_ b: T5BatchColumns, _ score: UnsafeMutablePointer<Float>, _ pass: UnsafeMutablePointer<UInt8>?) -> Bool {
        guard b.t5Count > 0, b.t5Count < UInt64(fewCandidatesBelow),
              // Counts far below what the general path refuses (2^47 bytes).
              b.mdCount < 1 << 40, b.t3Count < 1 << 40,
              let x = b.x, let y = b.y, let z = b.z, let r = b.r, let eta = b.eta, let phi = b.phi,
              let t3MD = b.t3MD, let t3Radius = b.t3Radius, let t5T3 = b.t5T3 else { return false }
        let candidates = Int(b.t5Count)
        for t in 0..<candidates
        where !t5ChainIsWhole(t, t5T3: t5T3, t3MD: t3MD, t3Count: b.t3Count, mdCount: b.mdCount) {
            return false
        }
        var record: T5BatchRecord = (x: x, y: y, z: z, r: r, eta: eta, phi: phi, layer: nil,
                                   t3MD: t3MD, t3Radius: t3Radius, t5T3: t5T3)
        // The last layer's padded outputs (at most t5SingleMaxStride = 64).
        let singleCandidate = kernels.t5SingleCandidate
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 64) { buffer in
            guard let output = buffer.baseAddress else { return }
            for t in 0..<candidates {
                let finite = singleCandidate(&record, t, layers, layerCount, maxStride, biasFirst, output)
                let s = finite ? lstSigmoid(output[0]) : .nan
                score[t] = s
                if let pass, let c = cut.cut(innerRadius: t3Radius[Int(t5T3[2 &* t])],
                                             eta1: eta[Int(t3MD[3 &* Int(t5T3[2 &* t])])]) {
                    pass[t] = s > c ? 1 : 0
                }
            }
        }
        return true
    }
}
