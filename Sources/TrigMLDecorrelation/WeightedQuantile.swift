import TrigMLCore

/// The weighted quantile used by DDT maps and by the R50 working point.
///
/// Definition (docs/formats/ddt_map.md: take the jets of positive weight
/// sorted by score ascending, ties by their order in the input; let
/// C_i = w_1 + ... + w_i (summed in that order in double), W = C_n, and give
/// jet i the position p_i = (C_{i-1} + w_i / 2) / W, the middle of its
/// share of the weight. The quantile at level t is the piecewise-linear
/// curve through the points (p_i, s_i): s_1 for t <= p_1, s_n for t >= p_n,
/// otherwise, with i the largest index such that p_i <= t,
///     s_i + (s_{i+1} - s_i) * ((t - p_i) / (p_{i+1} - p_i)).
/// With unit weights this is Hazen's rule (numpy's method="hazen").
package enum WeightedQuantile {
    /// Bytes per jet that `of` holds at once: the (score, index) key (16),
    /// the sorted scores, weights and cumulative sums (8 each) and the
    /// merge buffer of Swift's sort (at most half the keys, 8).
    static let bytesPerJet = 48

    /// `scores` sorted ascending (ties in input order) with their `weights`,
    /// all > 0; nil when there are none.
    package static func ofSorted(_ scores: [Double], _ weights: [Double], level t: Double) -> Double? {
        let n = scores.count
        guard n > 0, weights.count == n else { return nil }
        var cumulative = [Double](repeating: 0, count: n)
        var sum = 0.0
        for i in 0..<n {
            sum += weights[i]
            cumulative[i] = sum
        }
        let total = sum
        guard total > 0 else { return nil }
        func position(_ i: Int) -> Double {
            ((i == 0 ? 0 : cumulative[i - 1]) + weights[i] / 2) / total
        }
        if !(t > position(0)) { return scores[0] }
        if t >= position(n - 1) { return scores[n - 1] }
        // Largest i with p_i <= t: p_0 < t <= ... so 0 <= i < n - 1.
        var low = 0, high = n - 1  // invariant: p_low <= t < p_high
        while high - low > 1 {
            let mid = low + (high - low) / 2
            if position(mid) <= t { low = mid } else { high = mid }
        }
        let pLow = position(low), pHigh = position(low + 1)
        return scores[low] + (scores[low + 1] - scores[low]) * ((t - pLow) / (pHigh - pLow))
    }

    /// The quantile of the jets `indices` (a subset, in input order) of
    /// `score` / `weight` (nil weight = 1); jets of zero weight are skipped.
    /// Its arrays are sized by the caller's jet count, so they are checked
    /// first (`MemoryPreflight`): `.outOfMemory` rather than a trap.
    package static func of(indices: UnsafeBufferPointer<Int>, score: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                          level: Double) throws -> Double? {
        try MemoryPreflight.require(MemoryPreflight.bytes(indices.count, bytesPerJet),
                                    for: "the weighted quantile of \(indices.count) jets")
        var keyed: [(Float, Int)] = []
        keyed.reserveCapacity(indices.count)
        for i in indices where weight.map({ $0[i] > 0 }) ?? true { keyed.append((score[i], i)) }
        keyed.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        let scores = keyed.map { Double($0.0) }
        let weights = keyed.map { entry -> Double in
            guard let weight else { return 1 }
            return Double(weight[entry.1])
        }
        return ofSorted(scores, weights, level: level)
    }
}
