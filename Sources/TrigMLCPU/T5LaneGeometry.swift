import TrigMLCore

// Geometry of the T5 features on lanes of candidates, in float32 with LST's
// operations in LST's order (Sources/TrigMLCPUBaseline/T5FeatureTile.swift).
// Each lane is one candidate; no operation mixes lanes. Inlinable, so each
// kernel path compiles them for its own CPU level.

/// `cms::alpakatools::reducePhiRange` (cmssw
/// HeterogeneousCore/AlpakaMath/interface/deltaPhi.h) in float: x unchanged
/// when |x| <= pi_f (so x = +pi_f stays +pi_f), else x - round(x * o2pi) * 2 * pi_f
/// with o2pi = 1 / (2 pi_f) rounded to float and multiplied, and `round`
/// rounding halves away from zero as C's `roundf`.
@inlinable @inline(__always)
package func reducePhiRange<V: SIMD>(_ x: V) -> V where V.Scalar == Float {
    let pi = T5Constants.pi
    let o2pi: Float = 1 / (2 * pi)
    let turns = (x * o2pi).rounded(.toNearestOrAwayFromZero)
    let reduced = x - turns * 2 * pi
    return reduced.replacing(with: x, where: x.magnitude .<= pi)
}

/// `deltaPhi(phi2, phi1)` = reducePhiRange(phi2 - phi1).
@inlinable @inline(__always)
package func deltaPhi<V: SIMD>(_ phi2: V, _ phi1: V) -> V where V.Scalar == Float {
    reducePhiRange(phi2 - phi1)
}

/// `computeRadiusFromThreeAnchorHits` (cmssw RecoTracker/LSTCore/interface/Circle.h
/// at 1416747) in float: the circle centre from the determinant D of the three
/// points, radius sqrt(cx^2 + cy^2 - c); -1 when D == 0 or the radicand is
/// negative (LST's sentinel, whose log10 is NaN). For near-straight bridges
/// this float form departs from the exact circumradius (by a few per mille
/// on the golden set's 1e3-1e5 GeV tracks); those are the values the v2
/// network was trained on.
@inlinable @inline(__always)
package func lstCircleRadius<V: SIMD>(_ x1: V, _ y1: V, _ x2: V, _ y2: V, _ x3: V, _ y3: V) -> V
    where V.Scalar == Float {
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

/// `function` of the C library on the first `lanes` lanes (through memory:
/// one call per lane, no vector element shuffling); 0 on the others, which
/// hold no candidate (a one-candidate call pays for one).
@inlinable @inline(__always)
package func cLibraryLanes<V: SIMD>(_ x: V, lanes: Int, _ function: (Float) -> Float) -> V where V.Scalar == Float {
    var result = V()
    withUnsafeBytes(of: x) { inputBytes in
        withUnsafeMutableBytes(of: &result) { bytes in
            let input = inputBytes.bindMemory(to: Float.self), output = bytes.bindMemory(to: Float.self)
            for lane in 0..<min(lanes, V.scalarCount) { output[lane] = function(input[lane]) }
        }
    }
    return result
}

/// `log10f` of the C library on the first `lanes` lanes (`alpaka::math::log10`
/// on a float is `std::log10(float)`), so the bits are LST's CPU build's.
@inlinable @inline(__always)
package func log10Lanes<V: SIMD>(_ x: V, lanes: Int = V.scalarCount) -> V where V.Scalar == Float {
    cLibraryLanes(x, lanes: lanes) { log10f($0) }
}
