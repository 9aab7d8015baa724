#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TrigMLKernels

/// Feature computation (facts/lst_t5_dnn.md section 1).
///
/// Precision rule, shared with the numpy reference in tools/: every feature
/// is computed in double precision from the float32 columns and rounded to
/// float32 once. The bridge radius of a high-pT T5 is a near-collinear
/// circle fit; in float32 its relative error reaches 1e-4 at 100 GeV, which
/// would make "training sees what inference sees" untestable.
extension T5Batch {
    /// Writes the features of candidate `t` through `put(index, value)`.
    @inline(__always)
    func features(of t: Int, set: T5FeatureSet, _ put: (Int, Float) -> Void) {
        let (m1, m2, m3, m4, m5) = anchors(t)
        let rIn = Double(innerRadius(t)), rOut = Double(outerRadius(t))
        let bridge = circleRadius(Double(x[m2]), Double(y[m2]), Double(x[m3]), Double(y[m3]),
                                  Double(x[m4]), Double(y[m4]))
        switch set {
        case .lstV2:
            @inline(__always) func absEta(_ m: Int) -> Double { abs(Double(eta[m])) }
            @inline(__always) func absZ(_ m: Int) -> Double { abs(Double(z[m])) }
            put(0, Float(absEta(m1) / T5Constants.etaNorm))
            put(1, Float(abs(Double(phi[m1])) / Double.pi))
            put(2, Float(absZ(m1) / T5Constants.zMax))
            put(3, Float(Double(r[m1]) / T5Constants.rMax))
            @inline(__always) func deltas(_ base: Int, _ b: Int, _ a: Int) {
                put(base, Float(absEta(b) - absEta(a)))
                put(base + 1, Float(deltaPhi(Double(phi[b]), Double(phi[a])) / Double.pi))
                put(base + 2, Float((absZ(b) - absZ(a)) / T5Constants.zMax))
                put(base + 3, Float((Double(r[b]) - Double(r[a])) / T5Constants.rMax))
            }
            deltas(4, m2, m1)
            deltas(8, m3, m2)
            deltas(12, m4, m3)
            deltas(16, m5, m4)
            put(20, Float(log10(rIn)))
            put(21, Float(log10(bridge)))
            put(22, Float(log10(rOut)))
        case .lstV1:
            let twoK = 2 * T5Constants.k2Rinv1GeVf
            @inline(__always) func hit(_ base: Int, _ m: Int) {
                put(base, Float(Double(eta[m])))
                put(base + 1, Float(Double(phi[m])))
                put(base + 2, Float(Double(z[m])))
                let xm = Double(x[m]), ym = Double(y[m])
                put(base + 3, Float((xm * xm + ym * ym).squareRoot()))
                put(base + 4, Float(layer.map { Double($0[m]) } ?? 0))
            }
            put(0, Float(log10(twoK * rIn)))
            hit(1, m1)
            hit(6, m2)
            hit(11, m3)
            put(16, Float(log10(twoK * rOut)))
            hit(17, m3)
            hit(22, m4)
            hit(27, m5)
            put(32, Float(log10((rIn + rOut) * T5Constants.k2Rinv1GeVf)))
            let direction = (layer?[m1] == T5Constants.firstBarrelLayer) ? m2 : m1
            put(33, Float(Double(eta[direction])))
            put(34, Float(Double(phi[direction])))
            put(35, Float(log10(rIn)))
            put(36, Float(log10(bridge)))
            put(37, Float(log10(rOut)))
        }
    }
}
