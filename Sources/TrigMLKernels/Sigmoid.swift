/// Logistic function that is finite for every finite logit, in double.
///
/// LST computes `exp(x)/(exp(x)+1)`, which is NaN once exp overflows
/// (x > ~88 in float; RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h). Here e = exp(-|x|)
/// is in (0, 1], and sigmoid = 1/(1+e) for x >= 0, e/(1+e) for x < 0:
/// large logits give exactly 1 (or a tiny positive number), never NaN.
/// NaN stays NaN.
@inlinable @inline(__always)
package func sigmoid(_ x: Lanes) -> Lanes {
    // -|x|: the sign bit set (NaN stays NaN).
    let e = expNonPositive(-x.magnitude)
    let positive = 1 / (1 + e)
    let negative = e / (1 + e)
    return positive.replacing(with: negative, where: x .< 0)
}

/// exp(x) for x <= 0 on all lanes with plain SSE2 operations (no libm call
/// per lane, no FMA, no roundpd): x = n ln2 + r with |r| <= ln2/2, exp(r)
/// by its Taylor series to r^11 (relative error < 3e-13), times 2^n built in
/// the exponent bits. Arguments below -708 are clamped (exp(-708) = 3e-308,
/// still normal). NaN stays NaN.
@inlinable @inline(__always)
package func expNonPositive(_ x: Lanes) -> Lanes {
    let clamped = x.replacing(with: -708, where: x .< -708)
    let log2e = 1.4426950408889634
    // Round to nearest by the 1.5 * 2^52 trick: the sum's low mantissa bits
    // hold n, valid for |n| < 2^51.
    let magic = Lanes(repeating: 6755399441055744.0)
    let shifted = clamped * log2e + magic
    let n = shifted - magic
    let ln2High = 0.6931471803691238  // ln 2 split so n * ln2High is exact
    let ln2Low = 1.9082149292705877e-10
    let r = (clamped - n * ln2High) - n * ln2Low
    var p = Lanes(repeating: 1.0 / 39916800)
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
    let nBits = unsafeBitCast(shifted, to: LaneBits.self) &- unsafeBitCast(magic, to: LaneBits.self)
    let scale = unsafeBitCast((nBits &+ 1023) &<< 52, to: Lanes.self)
    return (p * scale).replacing(with: x, where: x .!= x)
}

#if TRIGML_WIDE_VECTORS
@usableFromInline package typealias LaneBits = SIMD8<UInt64>
#else
@usableFromInline package typealias LaneBits = SIMD4<UInt64>
#endif
