/// Constants of the LST T5 DNN, with their source.
public enum T5Constants {
    /// pT [GeV] = 2 * k2Rinv1GeVf * R [cm]: k2Rinv1GeVf = (2.99792458e-3 * 3.8) / 2
    /// (RecoTracker/LSTCore, 3.8 T field). pT = 5 GeV is R ~ 439 cm.
    public static let k2Rinv1GeVf: Double = (2.99792458e-3 * 3.8) / 2

    /// lst-v2 normalisations (RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h):
    /// the largest |z| and r of the 4th anchor in the v2 training file.
    public static let etaNorm: Double = 2.5
    public static let zMax: Double = 267.2349854
    public static let rMax: Double = 110.1099396

    /// Barrel layer 1: v1's T5 eta/phi come from the second anchor when the
    /// first sits on it (`layer2_adjustment`, TrackLooper SDL/NeuralNetwork.h).
    public static let firstBarrelLayer: UInt8 = 1
}

/// The difference phi2 - phi1 wrapped into [-pi, pi]
/// (`cms::alpakatools::deltaPhi`). Uses round-to-nearest multiples of 2 pi,
/// so inputs outside [-pi, pi] are wrapped too; for inputs inside it this
/// is LST's single +-2 pi wrap.
@inline(__always)
public func deltaPhi(_ phi2: Double, _ phi1: Double) -> Double {
    let d = phi2 - phi1
    if d >= -Double.pi && d <= Double.pi { return d }
    let twoPi = 2 * Double.pi
    return d - twoPi * (d / twoPi).rounded(.toNearestOrAwayFromZero)
}

/// Radius of the circle through three points in the x-y plane,
/// R = |a| |b| |c| / (2 |a x c|) with a = p2 - p1, b = p3 - p2, c = p3 - p1
/// (circumradius = product of the sides over four times the area).
/// Collinear points give +inf; coincident points give NaN.
@inline(__always)
public func circleRadius(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                         _ x3: Double, _ y3: Double) -> Double {
    let ax = x2 - x1, ay = y2 - y1
    let bx = x3 - x2, by = y3 - y2
    let cx = x3 - x1, cy = y3 - y1
    let cross = ax * cy - ay * cx
    let a = (ax * ax + ay * ay).squareRoot()
    let b = (bx * bx + by * by).squareRoot()
    let c = (cx * cx + cy * cy).squareRoot()
    return a * b * c / (2 * abs(cross))
}
