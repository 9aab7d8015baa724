import TrigMLCPU

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
