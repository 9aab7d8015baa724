// Lane math shared by every kernel path (inlinable, so each path module
// compiles it for its own CPU level): sign-bit |x|, exp for x <= 0, tanh.

extension SIMD where Scalar == Double {
    /// |v| by clearing the sign bit (NaN stays NaN, -0 becomes +0), for
    /// `sigmoid` and `hyperbolicTangent`.
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

/// exp(x) for x <= 0 on all lanes with plain SSE2 operations (no libm call
/// per lane, no FMA, no roundpd): x = n ln2 + r with |r| <= ln2/2, exp(r)
/// by its Taylor series to r^11 (relative error < 3e-13), times 2^n built in
/// the exponent bits. Arguments below -708 are clamped (exp(-708) = 3e-308,
/// still normal). NaN stays NaN.
@inlinable @inline(__always)
package func expNonPositive(_ x: DoubleTile) -> DoubleTile {
    let clamped = x.replacing(with: -708, where: x .< -708)
    let log2e = 1.4426950408889634
    // Round to nearest by the 1.5 * 2^52 trick: the sum's low mantissa bits
    // hold n, valid for |n| < 2^51.
    let magic = DoubleTile(repeating: 6755399441055744.0)
    let shifted = clamped * log2e + magic
    let n = shifted - magic
    let ln2High = 0.6931471803691238  // ln 2 split so n * ln2High is exact
    let ln2Low = 1.9082149292705877e-10
    let r = (clamped - n * ln2High) - n * ln2Low
    var p = DoubleTile(repeating: 1.0 / 39916800)
    p = p * r + 1.0 / 3628800
    p = p * r + 1.0 / 362880
    p = p * r + 1.0 / 40320
    p = p * r + 1.0 / 5040
    p = p * r + 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let nBits = unsafeBitCast(shifted, to: DoubleTileBits.self) &- unsafeBitCast(magic, to: DoubleTileBits.self)
    let scale = unsafeBitCast((nBits &+ 1023) &<< 52, to: DoubleTile.self)
    return (p * scale).replacing(with: x, where: x .!= x)
}

@usableFromInline typealias DoubleTileBits = SIMD4<UInt64>

/// tanh on all lanes: with e = exp(-2|x|) in (0, 1], tanh|x| = (1 - e)/(1 + e),
/// then the sign of x. Finite for every input; NaN stays NaN.
@inlinable @inline(__always)
package func hyperbolicTangent(_ x: DoubleTile) -> DoubleTile {
    let e = expNonPositive(-2 * x.magnitude)
    let t = (1 - e) / (1 + e)
    return t.replacing(with: -t, where: x .< 0)
}
