import TrigMLCore
import TrigMLCPU

/// Dense networks in float32 with LST's order of operations, candidates on
/// SIMD lanes: the T5 path (the tagger keeps the double kernel of
/// DenseNetwork.swift).
///
/// LST's CPU inference (cmssw RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h
/// at 719e09e3, `linear_layer`) computes each output as one float chain:
/// `out = bias; for j ascending: out += in[j] * W[j][i]`, and CMSSW compiles
/// with `-ffp-contract=off`, so every step is a float multiply, rounded, then
/// a float add, rounded. The first integration (cmssw NeuralNetwork.h at
/// 2181e6aa, TrackLooper SDL/NeuralNetwork.h) starts the chain at 0 and adds
/// the bias last: `BiasOrder.last`.
///
/// Here a lane holds one candidate and every output is that chain, written
/// as separate `*` and `+` on float lanes (Sources/TrigMLCPUBaseline/FloatLayers.swift,
/// compiled once per kernel path). Swift emits no contraction flags, so LLVM
/// keeps them unfused on every target (Tests/TrigMLKernelsTests checks a
/// case where a fused multiply-add rounds differently, on every path). A
/// lane never mixes with another, so a candidate's bits do not depend on
/// the tile it lands in, the batch size or the kernel path.
/// Candidates per float tile: one AVX register, two SSE registers.
@usableFromInline package typealias FloatLanes = FloatTile
package let floatLaneWidth = FloatLanes.scalarCount

/// Where the bias enters an output's float sum.
package enum BiasOrder {
    /// `out = bias; out += in[j] * w[j]` (LST v2, cms-sw #46857 onwards).
    case first
    /// `out = 0; out += in[j] * w[j]; out += bias` (LST v1).
    case last
}

extension DenseNetwork {
    /// Scratch for `evaluateFloat`, in float lane vectors.
    package var floatScratchCount: Int { 2 * maxWidth }

    /// Runs one float tile on the active kernel path (or `kernels`):
    /// `input` holds `inputCount` lane vectors, `output` receives
    /// `outputCount` lane vectors (the last layer's activation as stored; a
    /// sigmoid or softmax head is the caller's).
    @inline(__always)
    package func evaluateFloat(input: UnsafePointer<FloatLanes>, output: UnsafeMutablePointer<FloatLanes>,
                              scratch: UnsafeMutablePointer<FloatLanes>, biasOrder: BiasOrder,
                              kernels: KernelTable = KernelDispatch.active) {
        views.withUnsafeBufferPointer { layerViews in
            guard let first = layerViews.baseAddress else { return }
            kernels.floatNetwork(first, layerViews.count, maxWidth, input, output, scratch, biasOrder == .first)
        }
    }
}

/// LST's sigmoid, `exp(x) / (exp(x) + 1.f)` in float with the C library's
/// `expf` (cmssw NeuralNetwork.h, `sigmoid_activation`), so its bits are
/// those of LST's CPU build on the same machine. One deliberate difference:
/// where `expf` overflows (x above about 88.72) LST divides infinity by
/// infinity and gets NaN, which fails every cut; here the score is 1, the
/// limit of the function (docs/numerics.md). NaN stays NaN.
@inline(__always)
package func lstSigmoid(_ logit: FloatLanes) -> FloatLanes {
    var e = FloatLanes()
    for lane in 0..<floatLaneWidth { e[lane] = expf(logit[lane]) }
    let probability = e / (e + 1)
    return probability.replacing(with: 1, where: e .== .infinity)
}

/// LST's softmax (cmssw NeuralNetwork.h, `softmax_activation`): `expf` of
/// every output, their float sum in output order, then each divided by the
/// sum. `values` holds `count` lane vectors and is overwritten.
@inline(__always)
package func lstSoftmax(_ values: UnsafeMutablePointer<FloatLanes>, count: Int) {
    var sum = FloatLanes()
    for k in 0..<count {
        var e = FloatLanes()
        for lane in 0..<floatLaneWidth { e[lane] = expf(values[k][lane]) }
        values[k] = e
        sum = sum + e
    }
    for k in 0..<count { values[k] = values[k] / sum }
}
