import TrigMLCPU

// The double network (the tagger's; Sources/TrigMLKernels/DenseNetwork.swift
// says why double): an output is a multiply-add chain `acc + x_i * w_io`
// with the weight broadcast, four outputs per pass over the inputs; outputs
// past the last full group as four interleaved partial sums. Every product
// and sum rounded separately.

func doubleNetwork(_ layers: UnsafePointer<DenseLayerView>, _ count: Int, _ maxWidth: Int,
                   _ input: UnsafePointer<DoubleTile>, _ output: UnsafeMutablePointer<DoubleTile>,
                   _ scratch: UnsafeMutablePointer<DoubleTile>) {
    runLayers(layers, count, maxWidth, input, output, scratch) { layer, x, y in forwardDouble(layer, x, y) }
}

@inline(__always)
func forwardDouble(_ layer: DenseLayerView, _ x: UnsafePointer<DoubleTile>, _ y: UnsafeMutablePointer<DoubleTile>) {
    let n = layer.inputs
    let groups = layer.outputs / outputGroup
    let biasBase = layer.bias
    for g in 0..<groups {
        let o = g * outputGroup
        var a0 = DoubleTile(repeating: biasBase[o]), a1 = DoubleTile(repeating: biasBase[o + 1])
        var a2 = DoubleTile(repeating: biasBase[o + 2]), a3 = DoubleTile(repeating: biasBase[o + 3])
        var w = layer.groupedWeights + g * n * outputGroup
        for i in 0..<n {
            let xi = x[i]
            a0 = a0 + xi * w[0]; a1 = a1 + xi * w[1]
            a2 = a2 + xi * w[2]; a3 = a3 + xi * w[3]
            w += outputGroup
        }
        y[o] = activateDouble(layer, a0); y[o + 1] = activateDouble(layer, a1)
        y[o + 2] = activateDouble(layer, a2); y[o + 3] = activateDouble(layer, a3)
    }
    let first = groups * outputGroup
    for o in first..<layer.outputs {
        let w = layer.tailWeights + (o - first) * n
        var p0 = DoubleTile(), p1 = DoubleTile(), p2 = DoubleTile(), p3 = DoubleTile()
        var i = 0
        while i + 4 <= n {
            p0 = p0 + x[i] * w[i]; p1 = p1 + x[i + 1] * w[i + 1]
            p2 = p2 + x[i + 2] * w[i + 2]; p3 = p3 + x[i + 3] * w[i + 3]
            i += 4
        }
        while i < n { p0 = p0 + x[i] * w[i]; i += 1 }
        y[o] = activateDouble(layer, DoubleTile(repeating: biasBase[o]) + ((p0 + p1) + (p2 + p3)))
    }
}

@inline(__always)
func activateDouble(_ layer: DenseLayerView, _ v: DoubleTile) -> DoubleTile {
    switch layer.activation {
    case .linear: return v
    case .relu: return v.replacing(with: 0, where: v .< 0)
    case .leakyRelu: return v.replacing(with: v * layer.alpha, where: v .< 0)
    case .elu:
        let negative = v .< 0
        let e = expNonPositive(v.replacing(with: 0, where: .!negative))
        return v.replacing(with: layer.alpha * (e - 1), where: negative)
    case .tanh: return hyperbolicTangent(v)
    }
}
