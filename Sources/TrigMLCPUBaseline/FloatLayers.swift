import TrigMLCore
import TrigMLCPU

// The float network in LST's order (Sources/TrigMLKernels/FloatNetwork.swift
// says why): per output, bias first (or last), then `acc + x_j * w_j` for
// the inputs ascending, every product and sum rounded to float.

func floatNetwork(_ layers: UnsafePointer<DenseLayerView>, _ count: Int, _ maxWidth: Int,
                  _ input: UnsafePointer<FloatTile>, _ output: UnsafeMutablePointer<FloatTile>,
                  _ scratch: UnsafeMutablePointer<FloatTile>, _ biasFirst: Bool) {
    runLayers(layers, count, maxWidth, input, output, scratch) { layer, x, y in
        forwardFloat(layer, x, y, biasFirst)
    }
}

@inline(__always)
func forwardFloat(_ layer: DenseLayerView, _ x: UnsafePointer<FloatTile>, _ y: UnsafeMutablePointer<FloatTile>,
                  _ biasFirst: Bool) {
    let n = layer.inputs
    let groups = layer.outputs / outputGroup
    let biasBase = layer.floatBias
    for g in 0..<groups {
        let o = g * outputGroup
        @inline(__always) func start(_ k: Int) -> FloatTile {
            FloatTile(repeating: biasFirst ? biasBase[o + k] : 0)
        }
        var a0 = start(0), a1 = start(1), a2 = start(2), a3 = start(3)
        var w = layer.floatGroupedWeights + g * n * outputGroup
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
        y[o] = activateFloat(layer, a0); y[o + 1] = activateFloat(layer, a1)
        y[o + 2] = activateFloat(layer, a2); y[o + 3] = activateFloat(layer, a3)
    }
    let first = groups * outputGroup
    for o in first..<layer.outputs {
        let w = layer.floatTailWeights + (o - first) * n
        var acc = FloatTile(repeating: biasFirst ? biasBase[o] : 0)
        for i in 0..<n { acc = acc + x[i] * w[i] }
        if !biasFirst { acc = acc + biasBase[o] }
        y[o] = activateFloat(layer, acc)
    }
}

/// Activations in float. ReLU is LST's `(x > 0.f) ? x : 0.f`
/// (`relu_activation`), which maps NaN to 0; the others as PyTorch
/// defines them, with the C library's float functions lane by lane.
@inline(__always)
func activateFloat(_ layer: DenseLayerView, _ v: FloatTile) -> FloatTile {
    switch layer.activation {
    case .linear: return v
    case .relu: return v.replacing(with: 0, where: .!(v .> 0))
    case .leakyRelu: return v.replacing(with: v * Float(layer.alpha), where: .!(v .> 0))
    case .elu:
        var out = v
        for lane in 0..<FloatTile.scalarCount where !(v[lane] > 0) { out[lane] = Float(layer.alpha) * expm1f(v[lane]) }
        return out
    case .tanh:
        var out = v
        for lane in 0..<FloatTile.scalarCount { out[lane] = tanhf(v[lane]) }
        return out
    }
}
