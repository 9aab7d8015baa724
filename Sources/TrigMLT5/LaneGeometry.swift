import TrigMLKernels

// Geometry of the T5 features on four candidates at once (see T5Features.swift).

/// phi2 - phi1 wrapped into [-pi, pi] (`cms::alpakatools::deltaPhi`).
/// Inside [-pi, pi] the difference is returned unchanged; outside, the
/// nearest multiple of 2 pi is removed, which for anchors with phi in
/// [-pi, pi] is LST's single +-2 pi wrap.
@inline(__always)
func deltaPhi(_ phi2: LaneDoubles, _ phi1: LaneDoubles) -> LaneDoubles {
    let d = phi2 - phi1
    let twoPi = 2 * Double.pi
    let wrapped = d - twoPi * roundedToNearest(d * (1 / twoPi))
    return d.replacing(with: wrapped, where: d.magnitude .> Double.pi)
}

/// Radius of the circle through three points in the x-y plane,
/// R = |a| |b| |c| / (2 |a x c|) with a = p2 - p1, b = p3 - p2, c = p3 - p1
/// (circumradius = product of the sides over four times the area).
/// Collinear points give +inf; coincident points give NaN.
@inline(__always)
func circleRadius(_ x1: LaneDoubles, _ y1: LaneDoubles, _ x2: LaneDoubles, _ y2: LaneDoubles,
                         _ x3: LaneDoubles, _ y3: LaneDoubles) -> LaneDoubles {
    let ax = x2 - x1, ay = y2 - y1
    let bx = x3 - x2, by = y3 - y2
    let cx = x3 - x1, cy = y3 - y1
    let cross = ax * cy - ay * cx
    let a = (ax * ax + ay * ay).squareRoot()
    let b = (bx * bx + by * by).squareRoot()
    let c = (cx * cx + cy * cy).squareRoot()
    return a * b * c / (2 * cross.magnitude)
}
