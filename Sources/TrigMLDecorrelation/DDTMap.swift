import TrigMLCore

/// A DDT map X_q(rho, pT): one value per (rho, pT) bin, looked up by
/// bilinear interpolation between bin centres. Immutable.
package final class DDTMap {
    package let settings: DDTSettings
    /// X per bin, rho-major: `values[i * pt.bins + j]`.
    package let values: [Double]
    /// Jets of positive weight per bin at build time (informational).
    package let entries: [Int]
    /// Whether a bin had at least `minEntries` jets and its own quantile.
    package let filled: [Bool]
    package let provenance: String

    package init(settings: DDTSettings, values: [Double], entries: [Int], filled: [Bool], provenance: String) {
        self.settings = settings
        self.values = values
        self.entries = entries
        self.filled = filled
        self.provenance = provenance
    }

    /// rho = ln(m^2 / pT^2), evaluated as 2 ln(m / pT) in double.
    @inline(__always)
    package static func rho(mass: Double, pt: Double) -> Double { 2 * log(mass / pt) }

    /// X_q at (rho, pT), bilinear between bin centres, clamped at the edges:
    /// (1 - b) * ((1 - c) * X[i][j] + c * X[i][j + 1]) + b * ((1 - c) * X[i + 1][j] + c * X[i + 1][j + 1]).
    @inline(__always)
    package func value(rho: Double, pt: Double) -> Double {
        let (i0, i1, b) = settings.rho.interpolation(rho)
        let (j0, j1, c) = settings.pt.interpolation(pt)
        let columns = settings.pt.bins
        let low = (1 - c) * values[i0 * columns + j0] + c * values[i0 * columns + j1]
        let high = (1 - c) * values[i1 * columns + j0] + c * values[i1 * columns + j1]
        return (1 - b) * low + b * high
    }

    /// Decorrelated scores: t(score) - X (higher passes) or X - t(score)
    /// (lower passes), t the map's score transform; NaN for a non-finite
    /// value, mass < 0 or pT <= 0. A score the transform refuses (not a
    /// probability for a logit map) fails the call before anything is
    /// written.
    package func apply(count: Int, score: UnsafePointer<Float>, mass: UnsafePointer<Float>,
                      pt: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) throws {
        let transform = settings.scoreTransform
        if transform != .identity {
            for k in 0..<count where !transform.accepts(score[k]) { throw transform.refusal("score", k, score[k]) }
        }
        let higher = settings.direction == .higherPasses
        for k in 0..<count {
            let s = Double(transform(score[k])), m = Double(mass[k]), p = Double(pt[k])
            guard s.isFinite, m.isFinite, p.isFinite, m >= 0, p > 0 else { out[k] = .nan; continue }
            let x = value(rho: Self.rho(mass: m, pt: p), pt: p)
            out[k] = Float(higher ? s - x : x - s)
        }
    }
}
