#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Logistic function that is finite for every finite logit.
///
/// LST computes `exp(x)/(exp(x)+1)`, which is NaN once exp overflows
/// (x > ~88 in float). Here e = exp(-|x|) is in (0, 1], and
/// sigmoid = 1/(1+e) for x >= 0, e/(1+e) for x < 0: large logits give
/// exactly 1 or 0. NaN stays NaN.
@inline(__always)
public func sigmoid(_ x: Float) -> Float {
    let e = expf(-abs(x))
    return x >= 0 ? 1 / (1 + e) : e / (1 + e)
}

@inline(__always)
public func sigmoid(_ x: Lanes) -> Lanes {
    var out = Lanes()
    for k in 0..<laneWidth { out[k] = sigmoid(x[k]) }
    return out
}
