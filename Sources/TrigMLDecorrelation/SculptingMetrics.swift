import TrigMLCore

/// The decorrelation benchmark of the ATLAS protocol (include/trigml.h,
/// tml_metric_r50_jsd): rejection at 50% signal efficiency and 1/JSD
/// (log base 2) of the background mass shapes passing and failing that cut.
package enum SculptingMetrics {
    package static let massBins = 50
    package static let massLow = 50.0
    package static let massBinWidth = 5.0

    /// Mass histogram bin of m: floor((m - 50) / 5) when in [0, 50), else nil.
    @inline(__always)
    package static func massBin(_ m: Double) -> Int? {
        let a = (m - massLow) / massBinWidth
        guard a >= 0 && a < Double(massBins) else { return nil }
        return min(Int(a), massBins - 1)
    }

    /// JSD(P || F) in bits between two histograms, each normalised to unit
    /// sum here; nil when either is empty.
    package static func jensenShannon(_ pass: [Double], _ fail: [Double]) -> Double? {
        var passSum = 0.0, failSum = 0.0
        for v in pass { passSum += v }
        for v in fail { failSum += v }
        guard passSum > 0, failSum > 0 else { return nil }
        var divergence = 0.0
        for k in 0..<min(pass.count, fail.count) {
            let p = pass[k] / passSum, f = fail[k] / failSum
            let m = (p + f) / 2
            if p > 0 { divergence += 0.5 * p * log2(p / m) }
            if f > 0 { divergence += 0.5 * f * log2(f / m) }
        }
        return divergence
    }

    /// (rejection, 1/JSD) for n jets; `weight` nil means unit weights.
    package static func r50InverseJSD(count n: Int, score: UnsafePointer<Float>, isSignal: UnsafePointer<UInt8>,
                                     mass: UnsafePointer<Float>, weight: UnsafePointer<Float>?) throws -> (Double, Double) {
        // Sized by the caller's n: a checked allocation (ARCHITECTURE.md "Memory").
        let signal = try CheckedBuffer<Int>(count: n, initial: 0, what: "the signal jet list of \(n) jets")
        var signalCount = 0
        var signalWeight = 0.0, backgroundWeight = 0.0
        for k in 0..<n {
            guard score[k].isFinite else { throw TMLError.invalid("score[\(k)] is not finite") }
            guard mass[k].isFinite else { throw TMLError.invalid("mass[\(k)] is not finite (\(mass[k]))") }
            let w = weight.map { Double($0[k]) } ?? 1
            guard w.isFinite, w >= 0 else { throw TMLError.invalid("weight[\(k)] = \(w) is not a finite, non-negative number") }
            if isSignal[k] != 0 {
                signal[signalCount] = k
                signalCount += 1
                signalWeight += w
            } else {
                backgroundWeight += w
            }
        }
        guard signalWeight > 0 else { throw TMLError.invalid("the signal jets have no weight (is_signal marks \(signalCount) of \(n) jets)") }
        guard backgroundWeight > 0 else { throw TMLError.invalid("the background jets have no weight") }
        let signalJets = UnsafeBufferPointer(start: signal.pointer, count: signalCount)
        guard let cut = try WeightedQuantile.of(indices: signalJets, score: score, weight: weight, level: 0.5) else {
            throw TMLError.internalError("no signal quantile despite positive signal weight")
        }
        var pass = [Double](repeating: 0, count: massBins)
        var fail = [Double](repeating: 0, count: massBins)
        var passingWeight = 0.0
        for k in 0..<n where isSignal[k] == 0 {
            let w = weight.map { Double($0[k]) } ?? 1
            let passes = Double(score[k]) > cut
            if passes { passingWeight += w }
            if let b = massBin(Double(mass[k])) {
                if passes { pass[b] += w } else { fail[b] += w }
            }
        }
        let rejection = passingWeight > 0 ? 1 / (passingWeight / backgroundWeight) : .infinity
        let inverse: Double
        if let jsd = jensenShannon(pass, fail) { inverse = jsd > 0 ? 1 / jsd : .infinity } else { inverse = .nan }
        return (rejection, inverse)
    }
}
