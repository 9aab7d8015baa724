import CTrigML
import TrigMLCore

/// One binned axis of a DDT map: `bins` equal bins over [min, max).
public struct DDTAxis: Equatable {
    public let min: Double
    public let max: Double
    public let bins: Int

    public static let maxBins = 1024

    public init(min: Double, max: Double, bins: Int, name: String) throws {
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
    public func coordinate(_ x: Double) -> Double { ((x - min) * Double(bins)) / (max - min) }

    /// The bin of x, nil outside [min, max) (and for NaN).
    @inline(__always)
    public func bin(_ x: Double) -> Int? {
        let a = coordinate(x)
        guard a >= 0 && a < Double(bins) else { return nil }
        return Swift.min(Int(a), bins - 1)
    }

    /// Bilinear weights between bin centres, clamped at the edges: the
    /// lower centre index, the upper one and the fraction towards it.
    @inline(__always)
    public func interpolation(_ x: Double) -> (Int, Int, Double) {
        if bins == 1 { return (0, 0, 0) }
        var u = coordinate(x) - 0.5
        if !(u > 0) { u = 0 }  // also -inf
        let top = Double(bins - 1)
        if u > top { u = top }
        let lower = Swift.min(Int(u), bins - 2)
        return (lower, lower + 1, u - Double(lower))
    }

    public func lowEdge(_ i: Int) -> Double { min + (max - min) * Double(i) / Double(bins) }
}

/// A validated `tml_ddt_config`.
public struct DDTSettings: Equatable {
    public enum Direction: String { case higherPasses = "higher_passes", lowerPasses = "lower_passes" }
    public enum EmptyBins: String { case fill, fail }
    public enum Smoothing: String { case none, knn }

    public let backgroundEfficiency: Double
    public let rho: DDTAxis
    public let pt: DDTAxis
    public let minEntries: Int
    public let direction: Direction
    public let emptyBins: EmptyBins
    public let smoothing: Smoothing
    public let neighbours: Int

    public static let maxTotalBins = 16384
    public static let maxNeighbours = 64

    /// The quantile level of the score that the map stores: 1 - q when higher
    /// scores pass, q when lower scores pass.
    public var level: Double { direction == .higherPasses ? 1 - backgroundEfficiency : backgroundEfficiency }

    public init(backgroundEfficiency q: Double, rho: DDTAxis, pt: DDTAxis, minEntries: Int,
                direction: Direction, emptyBins: EmptyBins, smoothing: Smoothing, neighbours: Int) throws {
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
    }

    /// Reads and checks a C configuration.
    public init(_ config: UnsafePointer<tml_ddt_config>?) throws {
        guard let c = config?.pointee else { throw TMLError.invalid("tml_ddt_config pointer is NULL") }
        let direction: Direction
        switch c.direction {
        case TML_DDT_HIGHER_PASSES: direction = .higherPasses
        case TML_DDT_LOWER_PASSES: direction = .lowerPasses
        default: throw TMLError.invalid("direction = \(c.direction) is not TML_DDT_HIGHER_PASSES or TML_DDT_LOWER_PASSES")
        }
        let empty: EmptyBins
        switch c.empty_bins {
        case TML_DDT_EMPTY_FILL: empty = .fill
        case TML_DDT_EMPTY_FAIL: empty = .fail
        default: throw TMLError.invalid("empty_bins = \(c.empty_bins) is not TML_DDT_EMPTY_FILL or TML_DDT_EMPTY_FAIL")
        }
        let smoothing: Smoothing
        switch c.smoothing {
        case TML_DDT_SMOOTHING_NONE: smoothing = .none
        case TML_DDT_SMOOTHING_KNN: smoothing = .knn
        default: throw TMLError.invalid("smoothing = \(c.smoothing) is not TML_DDT_SMOOTHING_NONE or TML_DDT_SMOOTHING_KNN")
        }
        guard c.min_entries >= 1 && c.min_entries <= UInt64(Int32.max) else {
            throw TMLError.invalid("min_entries = \(c.min_entries) is outside [1, 2^31 - 1]")
        }
        try self.init(backgroundEfficiency: c.background_efficiency,
                      rho: DDTAxis(min: c.rho_min, max: c.rho_max, bins: Int(c.rho_bins), name: "rho"),
                      pt: DDTAxis(min: c.pt_min, max: c.pt_max, bins: Int(c.pt_bins), name: "pt"),
                      minEntries: Int(c.min_entries), direction: direction, emptyBins: empty,
                      smoothing: smoothing, neighbours: Int(c.neighbours))
    }

    /// The documented defaults (include/trigml.h, tml_ddt_config_init).
    public static func defaults(backgroundEfficiency q: Double) throws -> DDTSettings {
        try DDTSettings(backgroundEfficiency: q,
                        rho: DDTAxis(min: -7, max: 0, bins: 35, name: "rho"),
                        pt: DDTAxis(min: 200, max: 1000, bins: 8, name: "pt"),
                        minEntries: 20, direction: .higherPasses, emptyBins: .fill,
                        smoothing: .none, neighbours: 5)
    }

    /// Writes these settings into a C configuration.
    public func write(to c: inout tml_ddt_config) {
        c.background_efficiency = backgroundEfficiency
        c.rho_min = rho.min
        c.rho_max = rho.max
        c.rho_bins = Int32(rho.bins)
        c.pt_min = pt.min
        c.pt_max = pt.max
        c.pt_bins = Int32(pt.bins)
        c.min_entries = UInt64(minEntries)
        c.direction = direction == .higherPasses ? TML_DDT_HIGHER_PASSES : TML_DDT_LOWER_PASSES
        c.empty_bins = emptyBins == .fill ? TML_DDT_EMPTY_FILL : TML_DDT_EMPTY_FAIL
        c.smoothing = smoothing == .none ? TML_DDT_SMOOTHING_NONE : TML_DDT_SMOOTHING_KNN
        c.neighbours = Int32(neighbours)
    }
}
