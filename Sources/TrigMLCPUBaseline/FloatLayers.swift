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

/// One candidate: output lanes o ..< o + 16 per vector, two vectors per pass
/// (two independent sums), the input broadcast. `y` receives `stride` floats.
@inline(__always)
func forwardSingle(_ layer: FloatLayerRecord, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                   _ biasFirst: Bool) {
    let width = FloatTile.scalarCount
    @inline(__always) func row(_ p: UnsafePointer<Float>) -> FloatTile {
        UnsafeRawPointer(p).loadUnaligned(as: FloatTile.self)
    }
    @inline(__always) func start(_ o: Int) -> FloatTile { biasFirst ? row(layer.bias + o) : FloatTile() }
    @inline(__always) func store(_ o: Int, _ sum: FloatTile) {
        let value = finishActivation(layer, biasFirst ? sum : sum + row(layer.bias + o))
        UnsafeMutableRawPointer(y + o).storeBytes(of: value, as: FloatTile.self)
    }
    if layer.outputs <= 4 {
        // A head of up to four outputs (LST's one logit): one chain per
        // output on a four-lane vector, whose adds have the shortest latency
        // on x86 cores (a 16-lane add takes longer on AVX-512 ones); the
        // padded outputs are written as 0.
        @inline(__always) func row4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
            UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
        }
        var a0 = biasFirst ? row4(layer.bias) : SIMD4<Float>()
        var w = layer.weights
        for i in 0..<layer.inputs {
            a0 = a0 + SIMD4(repeating: x[i]) * row4(w)
            w += layer.stride
        }
        let sum = FloatTile(lowHalf: SIMD8(lowHalf: biasFirst ? a0 : a0 + row4(layer.bias), highHalf: .zero), highHalf: .zero)
        // Every activation maps the padding's 0 to 0.
        UnsafeMutableRawPointer(y).storeBytes(of: finishActivation(layer, sum), as: FloatTile.self)
        return
    }
    var o = 0
    while o + 2 * width <= layer.stride {
        var a0 = start(o), a1 = start(o + width)
        var w = layer.weights + o
        for i in 0..<layer.inputs {
            let xi = FloatTile(repeating: x[i])
            a0 = a0 + xi * row(w); a1 = a1 + xi * row(w + width)
            w += layer.stride
        }
        store(o, a0); store(o + width, a1)
        o += 2 * width
    }
    if o < layer.stride {
        var a0 = start(o)
        var w = layer.weights + o
        for i in 0..<layer.inputs {
            a0 = a0 + FloatTile(repeating: x[i]) * row(w)
            w += layer.stride
        }
        store(o, a0)
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
