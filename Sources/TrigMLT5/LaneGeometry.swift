import TrigMLCore
import TrigMLKernels

// Geometry of the T5 features on four candidates at once, in float32 with
// LST's operations in LST's order (see T5Features.swift). Each lane is one
// candidate; no operation mixes lanes.

/// Four candidates' values of one quantity.
typealias LaneFloats = SIMD4<Float>

/// `cms::alpakatools::reducePhiRange` (cmssw
/// HeterogeneousCore/AlpakaMath/interface/deltaPhi.h) in float: x unchanged
/// when |x| <= pi_f (so x = +pi_f stays +pi_f), else x - round(x * o2pi) * 2 * pi_f
/// with o2pi = 1 / (2 pi_f) rounded to float and multiplied, and `round`
/// rounding halves away from zero as C's `roundf`.
@inline(__always)
func reducePhiRange(_ x: LaneFloats) -> LaneFloats {
    let pi = T5Constants.pi
    let o2pi: Float = 1 / (2 * pi)
    let turns = (x * o2pi).rounded(.toNearestOrAwayFromZero)
    let reduced = x - turns * 2 * pi
    return reduced.replacing(with: x, where: x.magnitude .<= pi)
}

/// `deltaPhi(phi2, phi1)` = reducePhiRange(phi2 - phi1).
@inline(__always)
func deltaPhi(_ phi2: LaneFloats, _ phi1: LaneFloats) -> LaneFloats {
    reducePhiRange(phi2 - phi1)
}

/// `computeRadiusFromThreeAnchorHits` (cmssw RecoTracker/LSTCore/interface/Circle.h
/// at 1416747) in float: the circle centre from the determinant D of the three
/// points, radius sqrt(cx^2 + cy^2 - c); -1 when D == 0 or the radicand is
/// negative (LST's sentinel, whose log10 is NaN). For near-straight bridges
/// this float form departs from the exact circumradius (by a few per mille
/// on the golden set's 1e3-1e5 GeV tracks); those are the values the v2
/// network was trained on.
@inline(__always)
func lstCircleRadius(_ x1: LaneFloats, _ y1: LaneFloats, _ x2: LaneFloats, _ y2: LaneFloats,
                     _ x3: LaneFloats, _ y3: LaneFloats) -> LaneFloats {
    let determinant = (y1 - y3) * (x2 - x3) - (x1 - x3) * (y2 - y3)
    let denomInv = 1 / determinant
    let xy1sqr = x1 * x1 + y1 * y1
    let xy2sqr = x2 * x2 + y2 * y2
    let xy3sqr = x3 * x3 + y3 * y3
    let sumX = (y3 - y2) * xy1sqr + (y1 - y3) * xy2sqr + (y2 - y1) * xy3sqr
    let centerX = 0.5 * sumX * denomInv
    let sumY = (x2 - x3) * xy1sqr + (x3 - x1) * xy2sqr + (x1 - x2) * xy3sqr
    let centerY = 0.5 * sumY * denomInv
    let sumC = (x2 * y3 - x3 * y2) * xy1sqr + (x3 * y1 - x1 * y3) * xy2sqr + (x1 * y2 - x2 * y1) * xy3sqr
    let offset = sumC * denomInv
    let radicand = centerX * centerX + centerY * centerY - offset
    let sentinel = (determinant .== 0) .| (radicand .< 0)
    return radicand.squareRoot().replacing(with: -1, where: sentinel)
}

/// `log10f` of the C library, lane by lane (`alpaka::math::log10` on a float
/// is `std::log10(float)`), so the bits are LST's CPU build's.
@inline(__always)
func log10Lanes(_ x: LaneFloats) -> LaneFloats {
    LaneFloats(log10f(x[0]), log10f(x[1]), log10f(x[2]), log10f(x[3]))
}
