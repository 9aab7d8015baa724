import TrigMLCore
import TrigMLCPU

// The float network in LST's order (Sources/TrigMLKernels/FloatNetwork.swift
// says why): per output, bias first (or last), then `acc + x_j * w_j` for
// the inputs ascending, every product and sum rounded to float. Two loop
// shapes give the same bits, because each output of each candidate is the
// same chain in both:
// - a tile of candidates, one per lane, several outputs per pass
//   (`floatNetwork`, for batches that fill tiles);
// - one candidate, its outputs on the lanes (`floatSingleNetwork`): the
//   shape of LST's own `linear_layer` loop, for a batch of one or the few
//   candidates left after the last full tile.

/// Outputs per pass of the tile kernel: enough independent sums to hide the
/// add latency, few enough to stay in registers (Package.swift sets it per
/// path: 16 AVX-512 registers of accumulators, 8 AVX or 16 SSE ones).
#if TRIGML_FLOAT_BLOCK_8
let outputsPerPass = 8
#else
let outputsPerPass = 4
#endif

func floatNetwork(_ layers: UnsafePointer<FloatLayerRecord>, _ count: Int, _ maxWidth: Int,
                  _ input: UnsafePointer<FloatTile>, _ output: UnsafeMutablePointer<FloatTile>,
                  _ scratch: UnsafeMutablePointer<FloatTile>, _ biasFirst: Bool) {
    runLayers(layers, count, maxWidth, input, output, scratch) { forwardFloat($0, $1, $2, biasFirst) }
}

func floatSingleNetwork(_ layers: UnsafePointer<FloatLayerRecord>, _ count: Int, _ maxStride: Int,
                        _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                        _ scratch: UnsafeMutablePointer<Float>, _ biasFirst: Bool) {
    runLayers(layers, count, maxStride, input, output, scratch) { forwardSingle($0, $1, $2, biasFirst) }
}

@inline(__always)
func forwardFloat(_ layer: FloatLayerRecord, _ x: UnsafePointer<FloatTile>, _ y: UnsafeMutablePointer<FloatTile>,
                  _ biasFirst: Bool) {
    var o = 0
    if outputsPerPass == 8 {
        while o + 8 <= layer.outputs { eightOutputs(layer, o, x, y, biasFirst); o += 8 }
    }
    while o + 4 <= layer.outputs { fourOutputs(layer, o, x, y, biasFirst); o += 4 }
    while o < layer.outputs { oneOutput(layer, o, x, y, biasFirst); o += 1 }
}

@inline(__always)
func startSum(_ layer: FloatLayerRecord, _ o: Int, _ biasFirst: Bool) -> FloatTile {
    FloatTile(repeating: biasFirst ? layer.bias[o] : 0)
}

@inline(__always)
func finishSum(_ layer: FloatLayerRecord, _ o: Int, _ sum: FloatTile, _ biasFirst: Bool) -> FloatTile {
    finishActivation(layer, biasFirst ? sum : sum + layer.bias[o])
}

/// LST's networks are ReLU then linear: those two in line, the
/// library-call activations out of the loop body.
@inline(__always)
func finishActivation(_ layer: FloatLayerRecord, _ value: FloatTile) -> FloatTile {
    switch layer.activation {
    case .relu: return value.replacing(with: 0, where: .!(value .> 0))
    case .linear: return value
    default: return activateFloat(layer, value)
    }
}

@inline(__always)
func eightOutputs(_ layer: FloatLayerRecord, _ o: Int, _ x: UnsafePointer<FloatTile>,
                  _ y: UnsafeMutablePointer<FloatTile>, _ biasFirst: Bool) {
    var a0 = startSum(layer, o, biasFirst), a1 = startSum(layer, o + 1, biasFirst)
    var a2 = startSum(layer, o + 2, biasFirst), a3 = startSum(layer, o + 3, biasFirst)
    var a4 = startSum(layer, o + 4, biasFirst), a5 = startSum(layer, o + 5, biasFirst)
    var a6 = startSum(layer, o + 6, biasFirst), a7 = startSum(layer, o + 7, biasFirst)
    var w = layer.weights + o
    for i in 0..<layer.inputs {
        let xi = x[i]
        // Product rounded, then the sum rounded: no fused multiply-add.
        a0 = a0 + xi * w[0]; a1 = a1 + xi * w[1]; a2 = a2 + xi * w[2]; a3 = a3 + xi * w[3]
        a4 = a4 + xi * w[4]; a5 = a5 + xi * w[5]; a6 = a6 + xi * w[6]; a7 = a7 + xi * w[7]
        w += layer.stride
    }
    y[o] = finishSum(layer, o, a0, biasFirst); y[o + 1] = finishSum(layer, o + 1, a1, biasFirst)
    y[o + 2] = finishSum(layer, o + 2, a2, biasFirst); y[o + 3] = finishSum(layer, o + 3, a3, biasFirst)
    y[o + 4] = finishSum(layer, o + 4, a4, biasFirst); y[o + 5] = finishSum(layer, o + 5, a5, biasFirst)
    y[o + 6] = finishSum(layer, o + 6, a6, biasFirst); y[o + 7] = finishSum(layer, o + 7, a7, biasFirst)
}

@inline(__always)
func fourOutputs(_ layer: FloatLayerRecord, _ o: Int, _ x: UnsafePointer<FloatTile>,
                 _ y: UnsafeMutablePointer<FloatTile>, _ biasFirst: Bool) {
    var a0 = startSum(layer, o, biasFirst), a1 = startSum(layer, o + 1, biasFirst)
    var a2 = startSum(layer, o + 2, biasFirst), a3 = startSum(layer, o + 3, biasFirst)
    var w = layer.weights + o
    for i in 0..<layer.inputs {
        let xi = x[i]
        a0 = a0 + xi * w[0]; a1 = a1 + xi * w[1]; a2 = a2 + xi * w[2]; a3 = a3 + xi * w[3]
        w += layer.stride
    }
    y[o] = finishSum(layer, o, a0, biasFirst); y[o + 1] = finishSum(layer, o + 1, a1, biasFirst)
    y[o + 2] = finishSum(layer, o + 2, a2, biasFirst); y[o + 3] = finishSum(layer, o + 3, a3, biasFirst)
}

@inline(__always)
func oneOutput(_ layer: FloatLayerRecord, _ o: Int, _ x: UnsafePointer<FloatTile>,
               _ y: UnsafeMutablePointer<FloatTile>, _ biasFirst: Bool) {
    var sum = startSum(layer, o, biasFirst)
    var w = layer.weights + o
    for i in 0..<layer.inputs {
        sum = sum + x[i] * w[0]
        w += layer.stride
    }
    y[o] = finishSum(layer, o, sum, biasFirst)
}

/// One candidate, its outputs on the lanes (LST's loop shape): for every
/// block of 32 outputs four 8-lane chains (one at a time for a last 16),
/// the input broadcast; a head of up to four outputs as one 4-lane chain.
/// The chain of dependent adds is what a single candidate waits for, and
/// 8- and 4-lane adds have a shorter latency than 16-lane ones on AVX-512
/// cores (measured here: a 23-32-32-1 pass takes ~100 ns with 16-lane
/// chains, ~80 ns with 8-lane ones); no 16-lane operation is mixed in for
/// ReLU and linear layers. `y` receives `stride` floats.
@inline(__always)
func forwardSingle(_ layer: FloatLayerRecord, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                   _ biasFirst: Bool) {
    if layer.outputs <= 4 {
        // The padded outputs 4 ..< stride are written as 0 (every activation maps 0 to 0).
        let head = chainBlock(layer, x, 0, biasFirst, as: SIMD4<Float>.self)
        let out = UnsafeMutableRawPointer(y)
        out.storeBytes(of: singleActivation(layer, head), as: SIMD4<Float>.self)
        for o in stride(from: 4, to: layer.stride, by: 4) {
            out.storeBytes(of: SIMD4<Float>(), toByteOffset: o * MemoryLayout<Float>.stride, as: SIMD4<Float>.self)
        }
        return
    }
    var o = 0
    while o + 32 <= layer.stride {
        let (a0, a1, a2, a3) = chainBlock4(layer, x, o, biasFirst)
        store8(layer, y, o, a0); store8(layer, y, o + 8, a1)
        store8(layer, y, o + 16, a2); store8(layer, y, o + 24, a3)
        o += 32
    }
    while o < layer.stride {  // a last block of 16 (strides are multiples of 16): 8 at a time
        store8(layer, y, o, chainBlock(layer, x, o, biasFirst, as: SIMD8<Float>.self))
        o += 8
    }
}

@inline(__always)
private func row<V: SIMD>(_ p: UnsafePointer<Float>, as: V.Type) -> V where V.Scalar == Float {
    UnsafeRawPointer(p).loadUnaligned(as: V.self)
}

@inline(__always)
private func startChain<V: SIMD>(_ layer: FloatLayerRecord, _ o: Int, _ biasFirst: Bool) -> V where V.Scalar == Float {
    biasFirst ? row(layer.bias + o, as: V.self) : V()
}

/// Outputs o ..< o + V.scalarCount as one chain per lane, bias added last
/// when it does not come first.
@inline(__always)
private func chainBlock<V: SIMD>(_ layer: FloatLayerRecord, _ x: UnsafePointer<Float>, _ o: Int, _ biasFirst: Bool,
                                 as: V.Type) -> V where V.Scalar == Float {
    var a: V = startChain(layer, o, biasFirst)
    var w = layer.weights + o
    for i in 0..<layer.inputs {
        a = a + V(repeating: x[i]) * row(w, as: V.self)
        w += layer.stride
    }
    return biasFirst ? a : a + row(layer.bias + o, as: V.self)
}

@inline(__always)
private func chainBlock4(_ layer: FloatLayerRecord, _ x: UnsafePointer<Float>, _ o: Int, _ biasFirst: Bool)
    -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
    var a0: SIMD8<Float> = startChain(layer, o, biasFirst), a1: SIMD8<Float> = startChain(layer, o + 8, biasFirst)
    var a2: SIMD8<Float> = startChain(layer, o + 16, biasFirst), a3: SIMD8<Float> = startChain(layer, o + 24, biasFirst)
    var w = layer.weights + o
    for i in 0..<layer.inputs {
        let xi = SIMD8(repeating: x[i])
        a0 = a0 + xi * row(w, as: SIMD8<Float>.self); a1 = a1 + xi * row(w + 8, as: SIMD8<Float>.self)
        a2 = a2 + xi * row(w + 16, as: SIMD8<Float>.self); a3 = a3 + xi * row(w + 24, as: SIMD8<Float>.self)
        w += layer.stride
    }
    if biasFirst { return (a0, a1, a2, a3) }
    @inline(__always) func bias(_ k: Int) -> SIMD8<Float> { row(layer.bias + o + k, as: SIMD8<Float>.self) }
    return (a0 + bias(0), a1 + bias(8), a2 + bias(16), a3 + bias(24))
}

@inline(__always)
private func store8(_ layer: FloatLayerRecord, _ y: UnsafeMutablePointer<Float>, _ o: Int, _ sum: SIMD8<Float>) {
    UnsafeMutableRawPointer(y + o).storeBytes(of: singleActivation(layer, sum), as: SIMD8<Float>.self)
}

/// The layer's activation on a narrow vector: ReLU and linear in line, the
/// library-call ones through the tile function (same lanes, same bits).
/// Written per vector type: the generic form compiles to a lane loop.
@inline(__always)
private func singleActivation(_ layer: FloatLayerRecord, _ value: SIMD8<Float>) -> SIMD8<Float> {
    switch layer.activation {
    case .relu: return value.replacing(with: 0, where: .!(value .> 0))
    case .linear: return value
    default: return activateFloat(layer, FloatTile(lowHalf: value, highHalf: .zero)).lowHalf
    }
}

@inline(__always)
private func singleActivation(_ layer: FloatLayerRecord, _ value: SIMD4<Float>) -> SIMD4<Float> {
    switch layer.activation {
    case .relu: return value.replacing(with: 0, where: .!(value .> 0))
    case .linear: return value
    default: return activateFloat(layer, FloatTile(lowHalf: SIMD8(lowHalf: value, highHalf: .zero), highHalf: .zero)).lowHalf.lowHalf
    }
}

/// Activations in float. ReLU is LST's `(x > 0.f) ? x : 0.f`
/// (`relu_activation`), which maps NaN to 0; the others as PyTorch
/// defines them, with the C library's float functions lane by lane.
@inline(never)
func activateFloat(_ layer: FloatLayerRecord, _ v: FloatTile) -> FloatTile {
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
