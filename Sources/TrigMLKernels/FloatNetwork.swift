import TrigMLCore

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
/// as separate `*` and `+` on float lanes. Swift emits no contraction flags,
/// so LLVM keeps them unfused on every target (Tests/TrigMLKernelsTests
/// checks a case where a fused multiply-add rounds differently). A lane
/// never mixes with another, so a candidate's bits do not depend on the
/// tile it lands in, the batch size or the build's vector width.
/// Candidates per float tile: one AVX register, two SSE registers.
@usableFromInline package typealias FloatLanes = SIMD8<Float>
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

    /// Runs one float tile: `input` holds `inputCount` lane vectors, `output`
    /// receives `outputCount` lane vectors (the last layer's activation as
    /// stored; a sigmoid or softmax head is the caller's).
    @inline(__always)
    package func evaluateFloat(input: UnsafePointer<FloatLanes>, output: UnsafeMutablePointer<FloatLanes>,
                              scratch: UnsafeMutablePointer<FloatLanes>, biasOrder: BiasOrder) {
        var source = input
        let ping = scratch
        let pong = scratch + maxWidth
        for (index, layer) in layers.enumerated() {
            let destination = index == layers.count - 1 ? output : (index % 2 == 0 ? ping : pong)
            layer.forwardFloat(source, destination, biasOrder: biasOrder)
            source = UnsafePointer(destination)
        }
    }
}

extension DenseLayer {
    @inline(__always)
    func forwardFloat(_ x: UnsafePointer<FloatLanes>, _ y: UnsafeMutablePointer<FloatLanes>, biasOrder: BiasOrder) {
        let n = inputs
        let groups = outputs / outputGroup
        let biasFirst = biasOrder == .first
        floatGroupedWeights.withUnsafeBufferPointer { gw in
            floatBias.withUnsafeBufferPointer { b in
                guard let weightBase = gw.baseAddress, let biasBase = b.baseAddress else { return }
                for g in 0..<groups {
                    let o = g * outputGroup
                    @inline(__always) func start(_ k: Int) -> FloatLanes {
                        FloatLanes(repeating: biasFirst ? biasBase[o + k] : 0)
                    }
                    var a0 = start(0), a1 = start(1), a2 = start(2), a3 = start(3)
                    var w = weightBase + g * n * outputGroup
                    for i in 0..<n {
                        let xi = x[i]
                        // Product rounded, then the sum rounded: no fused multiply-add.
                        a0 = a0 + xi * w[0]; a1 = a1 + xi * w[1]
                        a2 = a2 + xi * w[2]; a3 = a3 + xi * w[3]
                        w += outputGroup
                    }
                    if !biasFirst {
                        a0 = a0 + biasBase[o]; a1 = a1 + biasBase[o + 1]
                        a2 = a2 + biasBase[o + 2]; a3 = a3 + biasBase[o + 3]
                    }
                    y[o] = activateFloat(a0); y[o + 1] = activateFloat(a1)
                    y[o + 2] = activateFloat(a2); y[o + 3] = activateFloat(a3)
                }
            }
        }
        let first = groups * outputGroup
        if first == outputs { return }
        floatTailWeights.withUnsafeBufferPointer { tw in
            guard let tailBase = tw.baseAddress else { return }
            for o in first..<outputs {
                let w = tailBase + (o - first) * n
                var acc = FloatLanes(repeating: biasFirst ? floatBias[o] : 0)
                for i in 0..<n { acc = acc + x[i] * w[i] }
                if !biasFirst { acc = acc + floatBias[o] }
                y[o] = activateFloat(acc)
            }
        }
    }

    /// Activations in float. ReLU is LST's `(x > 0.f) ? x : 0.f`
    /// (`relu_activation`), which maps NaN to 0; the others as PyTorch
    /// defines them, with the C library's float functions lane by lane.
    @inline(__always)
    func activateFloat(_ v: FloatLanes) -> FloatLanes {
        switch activation {
        case .linear: return v
        case .relu: return v.replacing(with: 0, where: .!(v .> 0))
        case .leakyRelu: return v.replacing(with: v * Float(alpha), where: .!(v .> 0))
        case .elu:
            var out = v
            for lane in 0..<floatLaneWidth where !(v[lane] > 0) { out[lane] = Float(alpha) * expm1f(v[lane]) }
            return out
        case .tanh:
            var out = v
            for lane in 0..<floatLaneWidth { out[lane] = tanhf(v[lane]) }
            return out
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
