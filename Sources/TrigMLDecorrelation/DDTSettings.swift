import TrigMLCore

/// One binned axis of a DDT map: `bins` equal bins over [min, max).
package struct DDTAxis: Equatable {
    package let min: Double
    package let max: Double
    package let bins: Int

    package static let maxBins = 1024

    package init(min: Double, max: Double, bins: Int, name: String) throws {
        guard min.isFinite, max.isFinite, min < max else {
            throw TMLError.invalid("\(name) range [\(min), \(max)] is not a finite, non-empty interval")
        }
        guard bins >= 1 && bins <= Self.maxBins else {
            throw TMLError.invalid("\(name) bins = \(bins) is outside [1, \(Self.maxBins)]")
        }
        self.min = min
        self.max = max
        self.bins = bins
    }

    /// Continuous bin coordinate ((x - min) * bins) / (max - min): bin i
    /// spans [i, i + 1), its centre is i + 0.5.
    @inline(__always)
    package func coordinate(_ x: Double) -> Double { ((x - min) * Double(bins)) / (max - min) }

    /// The bin of x, nil outside [min, max) (and for NaN).
    @inline(__always)
    package func bin(_ x: Double) -> Int? {
        let a = coordinate(x)
        guard a >= 0 && a < Double(bins) else { return nil }
        return Swift.min(Int(a), bins - 1)
    }

    /// Bilinear weights between bin centres, clamped at the edges: the
    /// lower centre index, the upper one and the fraction towards it.
    @inline(__always)
    package func interpolation(_ x: Double) -> (Int, Int, Double) {
        if bins == 1 { return (0, 0, 0) }
        var u = coordinate(x) - 0.5
        if !(u > 0) { u = 0 }  // also -inf
        let top = Double(bins - 1)
        if u > top { u = top }
        let lower = Swift.min(Int(u), bins - 2)
        return (lower, lower + 1, u - Double(lower))
    }

    package func lowEdge(_ i: Int) -> Double { min + (max - min) * Double(i) / Double(bins) }
}

/// A validated DDT configuration (`tml_ddt_config`, converted by the C ABI
/// layer).
package struct DDTSettings: Equatable {
    package enum Direction: String { case higherPasses = "higher_passes", lowerPasses = "lower_passes" }
    package enum EmptyBins: String { case fill, fail }
    package enum Smoothing: String { case none, knn }

    package let backgroundEfficiency: Double
    package let rho: DDTAxis
    package let pt: DDTAxis
    package let minEntries: Int
    package let direction: Direction
    package let emptyBins: EmptyBins
    package let smoothing: Smoothing
    package let neighbours: Int
    package let scoreTransform: ScoreTransform

    package static let maxTotalBins = 16384
    package static let maxNeighbours = 64

    /// The quantile level of the score that the map stores: 1 - q when higher
    /// scores pass, q when lower scores pass.
    package var level: Double { direction == .higherPasses ? 1 - backgroundEfficiency : backgroundEfficiency }

    package init(backgroundEfficiency q: Double, rho: DDTAxis, pt: DDTAxis, minEntries: Int,
                direction: Direction, emptyBins: EmptyBins, smoothing: Smoothing, neighbours: Int,
                scoreTransform: ScoreTransform = .identity) throws {
        guard q > 0 && q < 1 else {
            throw TMLError.invalid("background_efficiency = \(q) is outside (0, 1)")
        }
        guard pt.min >= 0 else { throw TMLError.invalid("pt_min = \(pt.min) is negative") }
        guard rho.bins * pt.bins <= Self.maxTotalBins else {
            throw TMLError.invalid("rho_bins x pt_bins = \(rho.bins * pt.bins) is larger than \(Self.maxTotalBins)")
        }
        guard minEntries >= 1 else { throw TMLError.invalid("min_entries = \(minEntries); at least 1") }
        guard neighbours >= 1 && neighbours <= Self.maxNeighbours else {
            throw TMLError.invalid("neighbours = \(neighbours) is outside [1, \(Self.maxNeighbours)]")
        }
        backgroundEfficiency = q
        self.rho = rho
        self.pt = pt
        self.minEntries = minEntries
        self.direction = direction
        self.emptyBins = emptyBins
        self.smoothing = smoothing
        self.neighbours = neighbours
        self.scoreTransform = scoreTransform
    }

    /// The documented defaults (include/trigml.h, tml_ddt_config_init).
    package static func defaults(backgroundEfficiency q: Double) throws -> DDTSettings {
        try DDTSettings(backgroundEfficiency: q,
                        rho: DDTAxis(min: -7, max: 0, bins: 35, name: "rho"),
                        pt: DDTAxis(min: 200, max: 1000, bins: 8, name: "pt"),
                        minEntries: 20, direction: .higherPasses, emptyBins: .fill,
                        smoothing: .none, neighbours: 5)
    }
}
