/// Double-precision math on SIMD lanes with plain SSE2 operations, so the
/// baseline x86-64 build needs no libm call per lane. `LaneDoubles` is four
/// candidates at once, for the T5 features (computed in double, rounded to
/// float32 once: see TrigMLT5/T5Features.swift): one AVX register or two
/// SSE2 registers, small enough that a feature's inputs stay in registers.
@usableFromInline package typealias LaneDoubles = SIMD4<Double>
@usableFromInline package typealias LaneWords = SIMD4<UInt64>

extension SIMD where Scalar == Double {
    /// |v| by clearing the sign bit (NaN stays NaN, -0 becomes +0); shared
    /// by the T5 features, `sigmoid` and `hyperbolicTangent`.
    @inlinable @inline(__always)
    package var magnitude: Self {
        unsafeBitCast(unsafeBitCast(self, to: MaskStorage.self) & MaskStorage(repeating: .max), to: Self.self)
    }
}

extension SIMD where Scalar == Float {
    /// |v| by clearing the sign bit, as C's `fabsf` (the T5 features' `abs`).
    @inlinable @inline(__always)
    package var magnitude: Self {
        unsafeBitCast(unsafeBitCast(self, to: MaskStorage.self) & MaskStorage(repeating: .max), to: Self.self)
    }
}

extension LaneDoubles {
    /// Rounded to float32, lane by lane.
    @inlinable @inline(__always)
    package var float32: SIMD4<Float> { SIMD4<Float>(Float(self[0]), Float(self[1]), Float(self[2]), Float(self[3])) }
}

/// Round to nearest (ties to even) for |v| < 2^51, by adding and removing
/// 1.5 * 2^52 (no roundpd on baseline x86-64).
@inlinable @inline(__always)
package func roundedToNearest(_ v: LaneDoubles) -> LaneDoubles {
    let magic = LaneDoubles(repeating: 6755399441055744.0)
    return (v + magic) - magic
}

/// log10 without a libm call (libm's log10 was a fifth of the scoring time).
///
/// x = 2^e * m with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s),
/// s = (m-1)/(m+1), |s| <= 0.1716, summed to s^13 (truncation < 3e-13
/// relative). Rounded to float32 afterwards, this equals a correctly
/// rounded log10 except within 1e-12 of a rounding boundary. Special
/// values as IEEE: log10(0) = -inf, log10(x < 0) = NaN, log10(inf) = inf,
/// NaN stays NaN.
@inlinable @inline(__always)
package func fastLog10(_ x: LaneDoubles) -> LaneDoubles {
    // Subnormal doubles (never produced from float32 inputs) are scaled first.
    let tiny = x .< Double.leastNormalMagnitude
    let scaled = x.replacing(with: x * 18014398509481984.0, where: tiny)
    let bits = unsafeBitCast(scaled, to: LaneWords.self)
    // Biased exponent as a double via the 2^52 trick (no int64->double on SSE2).
    let biased = unsafeBitCast(((bits &>> 52) & 0x7FF) | 0x4330_0000_0000_0000, to: LaneDoubles.self)
    var exponent = biased - LaneDoubles(repeating: 4503599627370496.0 + 1023)
    exponent = exponent.replacing(with: exponent - 54, where: tiny)
    var m = unsafeBitCast((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000, to: LaneDoubles.self)
    let high = m .> 1.4142135623730951
    m = m.replacing(with: m * 0.5, where: high)
    exponent = exponent.replacing(with: exponent + 1, where: high)
    let s = (m - 1) / (m + 1)
    let s2 = s * s
    // Horner's rule, the same shape as the series of `expNonPositive`
    // (Sigmoid.swift) but another series; each is written out so the
    // coefficients stay compile-time constants in registers.
    var series = LaneDoubles(repeating: 1.0 / 13)
    series = series * s2 + 1.0 / 11
    series = series * s2 + 1.0 / 9
    series = series * s2 + 1.0 / 7
    series = series * s2 + 1.0 / 5
    series = series * s2 + 1.0 / 3
    series = series * s2 + 1
    let ln2 = 0.6931471805599453
    let log10e = 0.4342944819032518
    var result = (exponent * ln2 + 2 * s * series) * log10e
    result = result.replacing(with: .nan, where: .!(x .> 0))
    result = result.replacing(with: -.infinity, where: x .== 0)
    result = result.replacing(with: .infinity, where: x .== .infinity)
    return result
}
