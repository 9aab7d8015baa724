import TrigMLCPU

// The double network over rows (the Deep Sets tagger's layers,
// Sources/TrigMLTagger/TaggerScoring.swift): a layer's activations are one
// row per neuron, `stride` doubles apart, with the lanes (constituents or
// jets) along the row. The arithmetic is DoubleLayers.swift's, lane by
// lane: a grouped output is `bias`, then `acc + x_i * w_io` for i = 0, 1,
// ... (the weight broadcast, every product and sum rounded); an output past
// the last full group is four interleaved partial sums added as
// bias + ((p0 + p1) + (p2 + p3)). Only the blocking differs: a pass keeps
// eight accumulators in registers (4 outputs x 2 tiles of lanes, or 8
// outputs x 1 tile for a last odd tile), so each loaded input feeds four
// multiply-adds and each broadcast weight two. The tile is the path's
// vector of doubles (PathKernels.swift): 2 lanes (SSE2), 4 (AVX2), 8
// (AVX-512); lanes never mix, so every path gives the same bits.

/// `outputGroup` (KernelRecords.swift), the weights' group size, as a
/// literal of this module: the passes below are written for four outputs
/// per group, and a literal folds where the other module's global is a
/// call.
let rowGroup = 4

func doubleRows2(_ layers: UnsafePointer<DenseLayerView>, _ count: Int, _ maxWidth: Int,
                 _ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>,
                 _ scratch: UnsafeMutablePointer<Double>, _ lanes: Int, _ stride: Int) {
    runRows(layers, count, maxWidth, input, output, scratch, lanes, stride, SIMD2<Double>.self)
}

func doubleRows4(_ layers: UnsafePointer<DenseLayerView>, _ count: Int, _ maxWidth: Int,
                 _ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>,
                 _ scratch: UnsafeMutablePointer<Double>, _ lanes: Int, _ stride: Int) {
    runRows(layers, count, maxWidth, input, output, scratch, lanes, stride, SIMD4<Double>.self)
}

func doubleRows8(_ layers: UnsafePointer<DenseLayerView>, _ count: Int, _ maxWidth: Int,
                 _ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>,
                 _ scratch: UnsafeMutablePointer<Double>, _ lanes: Int, _ stride: Int) {
    runRows(layers, count, maxWidth, input, output, scratch, lanes, stride, SIMD8<Double>.self)
}

/// Runs `count` layers over `lanes` lanes (rows `stride` apart, `stride` a
/// multiple of 8), ping-ponging through `scratch` (2 x `maxWidth` rows).
/// Lanes from `lanes` up to the next multiple of 8 are computed from
/// whatever they hold and must be ignored.
@inline(__always)
func runRows<V: SIMD>(_ layers: UnsafePointer<DenseLayerView>, _ count: Int, _ maxWidth: Int,
                      _ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>,
                      _ scratch: UnsafeMutablePointer<Double>, _ lanes: Int, _ stride: Int, _ tile: V.Type)
    where V.Scalar == Double {
    var source = input
    let ping = scratch, pong = scratch + maxWidth * stride
    for index in 0..<count {
        let destination = index == count - 1 ? output : (index % 2 == 0 ? ping : pong)
        forwardRows(layers[index], source, destination, lanes, stride, V.self)
        source = UnsafePointer(destination)
    }
}

@inline(__always)
func forwardRows<V: SIMD>(_ layer: DenseLayerView, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>,
                          _ lanes: Int, _ stride: Int, _ tile: V.Type) where V.Scalar == Double {
    let width = V.scalarCount
    let tiles = (lanes + width - 1) / width
    let groups = layer.outputs / rowGroup
    var t = 0
    while t + 2 <= tiles {
        for g in 0..<groups { pass4x2(layer, g, x, y, t * width, stride, V.self) }
        t += 2
    }
    if t < tiles {
        var g = 0
        while g + 2 <= groups { pass8x1(layer, g, x, y, t * width, stride, V.self); g += 2 }
        if g < groups { pass4x1(layer, g, x, y, t * width, stride, V.self) }
    }
    for o in (groups * rowGroup)..<layer.outputs {
        for k in 0..<tiles { tailOutput(layer, o, x, y, k * width, stride, V.self) }
    }
    activateRows(layer, y, (tiles * width + 7) & ~7, stride)
}

/// relu and leaky relu as DoubleLayers.swift's selects (v < 0 ? 0 : v,
/// v < 0 ? v * alpha : v) written with the lane mask's bits, applied to a
/// pass's sums before they are stored (the stdlib's generic select compiled
/// to one lane at a time); elu and tanh are left to `activateRows`.
@inline(__always)
func activateInPass<V: SIMD>(_ layer: DenseLayerView, _ v: V) -> V where V.Scalar == Double {
    typealias Bits = V.MaskStorage
    switch layer.activation {
    case .relu:
        let negative = unsafeBitCast(v .< 0, to: Bits.self)
        return unsafeBitCast(unsafeBitCast(v, to: Bits.self) & ~negative, to: V.self)
    case .leakyRelu:
        let negative = unsafeBitCast(v .< 0, to: Bits.self)
        let scaled = unsafeBitCast(v * V(repeating: layer.alpha), to: Bits.self)
        return unsafeBitCast((scaled & negative) | (unsafeBitCast(v, to: Bits.self) & ~negative), to: V.self)
    case .linear, .elu, .tanh:
        return v
    }
}

/// elu and tanh: `activateDouble` of DoubleLayers.swift four lanes at a
/// time over lanes 0..<end (a multiple of 4) of every output row, while the
/// rows are in L1. Lane-wise, so the same bits.
@inline(__always)
func activateRows(_ layer: DenseLayerView, _ y: UnsafeMutablePointer<Double>, _ end: Int, _ stride: Int) {
    guard layer.activation == .elu || layer.activation == .tanh else { return }
    for o in 0..<layer.outputs {
        let row = UnsafeMutableRawPointer(y + o * stride)
        for offset in Swift.stride(from: 0, to: end * 8, by: 32) {
            let v = row.loadUnaligned(fromByteOffset: offset, as: DoubleTile.self)
            row.storeBytes(of: activateDouble(layer, v), toByteOffset: offset, as: DoubleTile.self)
        }
    }
}

/// Outputs 4g ..< 4g + 4 for the two tiles at lanes `lane` ..< lane + 2w.
@inline(__always)
func pass4x2<V: SIMD>(_ layer: DenseLayerView, _ g: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>,
                      _ lane: Int, _ stride: Int, _ tile: V.Type) where V.Scalar == Double {
    let n = layer.inputs, o = g * rowGroup, size = MemoryLayout<V>.size
    let b = layer.bias + o
    var a0 = V(repeating: b[0]), a1 = V(repeating: b[1]), a2 = V(repeating: b[2]), a3 = V(repeating: b[3])
    var c0 = a0, c1 = a1, c2 = a2, c3 = a3
    var w = layer.groupedWeights + g * n * rowGroup
    var row = UnsafeRawPointer(x + lane)
    for _ in 0..<n {
        let x0 = row.loadUnaligned(as: V.self), x1 = row.loadUnaligned(fromByteOffset: size, as: V.self)
        let w0 = V(repeating: w[0]), w1 = V(repeating: w[1]), w2 = V(repeating: w[2]), w3 = V(repeating: w[3])
        a0 = a0 + x0 * w0; c0 = c0 + x1 * w0
        a1 = a1 + x0 * w1; c1 = c1 + x1 * w1
        a2 = a2 + x0 * w2; c2 = c2 + x1 * w2
        a3 = a3 + x0 * w3; c3 = c3 + x1 * w3
        w += rowGroup
        row += stride * 8
    }
    let out = UnsafeMutableRawPointer(y + o * stride + lane), rowBytes = stride * 8
    out.storeBytes(of: activateInPass(layer, a0), toByteOffset: 0, as: V.self); out.storeBytes(of: activateInPass(layer, c0), toByteOffset: size, as: V.self)
    out.storeBytes(of: activateInPass(layer, a1), toByteOffset: rowBytes, as: V.self); out.storeBytes(of: activateInPass(layer, c1), toByteOffset: rowBytes + size, as: V.self)
    out.storeBytes(of: activateInPass(layer, a2), toByteOffset: 2 * rowBytes, as: V.self); out.storeBytes(of: activateInPass(layer, c2), toByteOffset: 2 * rowBytes + size, as: V.self)
    out.storeBytes(of: activateInPass(layer, a3), toByteOffset: 3 * rowBytes, as: V.self); out.storeBytes(of: activateInPass(layer, c3), toByteOffset: 3 * rowBytes + size, as: V.self)
}

/// Outputs 4g ..< 4g + 8 (two groups) for the one tile at `lane`.
@inline(__always)
func pass8x1<V: SIMD>(_ layer: DenseLayerView, _ g: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>,
                      _ lane: Int, _ stride: Int, _ tile: V.Type) where V.Scalar == Double {
    let n = layer.inputs, o = g * rowGroup
    let b = layer.bias + o
    var a0 = V(repeating: b[0]), a1 = V(repeating: b[1]), a2 = V(repeating: b[2]), a3 = V(repeating: b[3])
    var a4 = V(repeating: b[4]), a5 = V(repeating: b[5]), a6 = V(repeating: b[6]), a7 = V(repeating: b[7])
    var w = layer.groupedWeights + g * n * rowGroup
    var v = w + n * rowGroup
    var row = UnsafeRawPointer(x + lane)
    for _ in 0..<n {
        let xi = row.loadUnaligned(as: V.self)
        a0 = a0 + xi * V(repeating: w[0]); a1 = a1 + xi * V(repeating: w[1])
        a2 = a2 + xi * V(repeating: w[2]); a3 = a3 + xi * V(repeating: w[3])
        a4 = a4 + xi * V(repeating: v[0]); a5 = a5 + xi * V(repeating: v[1])
        a6 = a6 + xi * V(repeating: v[2]); a7 = a7 + xi * V(repeating: v[3])
        w += rowGroup
        v += rowGroup
        row += stride * 8
    }
    let out = UnsafeMutableRawPointer(y + o * stride + lane), rowBytes = stride * 8
    out.storeBytes(of: activateInPass(layer, a0), as: V.self)
    out.storeBytes(of: activateInPass(layer, a1), toByteOffset: rowBytes, as: V.self)
    out.storeBytes(of: activateInPass(layer, a2), toByteOffset: 2 * rowBytes, as: V.self)
    out.storeBytes(of: activateInPass(layer, a3), toByteOffset: 3 * rowBytes, as: V.self)
    out.storeBytes(of: activateInPass(layer, a4), toByteOffset: 4 * rowBytes, as: V.self)
    out.storeBytes(of: activateInPass(layer, a5), toByteOffset: 5 * rowBytes, as: V.self)
    out.storeBytes(of: activateInPass(layer, a6), toByteOffset: 6 * rowBytes, as: V.self)
    out.storeBytes(of: activateInPass(layer, a7), toByteOffset: 7 * rowBytes, as: V.self)
}

/// Outputs 4g ..< 4g + 4 for the one tile at `lane`.
@inline(__always)
func pass4x1<V: SIMD>(_ layer: DenseLayerView, _ g: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>,
                      _ lane: Int, _ stride: Int, _ tile: V.Type) where V.Scalar == Double {
    let n = layer.inputs, o = g * rowGroup
    let b = layer.bias + o
    var a0 = V(repeating: b[0]), a1 = V(repeating: b[1]), a2 = V(repeating: b[2]), a3 = V(repeating: b[3])
    var w = layer.groupedWeights + g * n * rowGroup
    var row = UnsafeRawPointer(x + lane)
    for _ in 0..<n {
        let xi = row.loadUnaligned(as: V.self)
        a0 = a0 + xi * V(repeating: w[0]); a1 = a1 + xi * V(repeating: w[1])
        a2 = a2 + xi * V(repeating: w[2]); a3 = a3 + xi * V(repeating: w[3])
        w += rowGroup
        row += stride * 8
    }
    let out = UnsafeMutableRawPointer(y + o * stride + lane), rowBytes = stride * 8
    out.storeBytes(of: activateInPass(layer, a0), as: V.self)
    out.storeBytes(of: activateInPass(layer, a1), toByteOffset: rowBytes, as: V.self)
    out.storeBytes(of: activateInPass(layer, a2), toByteOffset: 2 * rowBytes, as: V.self)
    out.storeBytes(of: activateInPass(layer, a3), toByteOffset: 3 * rowBytes, as: V.self)
}

/// An output past the last full group, for the tile at `lane`: the four
/// interleaved partial sums of `forwardDouble`.
@inline(__always)
func tailOutput<V: SIMD>(_ layer: DenseLayerView, _ o: Int, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>,
                         _ lane: Int, _ stride: Int, _ tile: V.Type) where V.Scalar == Double {
    let n = layer.inputs
    let w = layer.tailWeights + (o - (layer.outputs / rowGroup) * rowGroup) * n
    let base = UnsafeRawPointer(x + lane), rowBytes = stride * 8
    @inline(__always) func input(_ i: Int) -> V { base.loadUnaligned(fromByteOffset: i * rowBytes, as: V.self) }
    var p0 = V(), p1 = V(), p2 = V(), p3 = V()
    var i = 0
    while i + 4 <= n {
        p0 = p0 + input(i) * V(repeating: w[i]); p1 = p1 + input(i + 1) * V(repeating: w[i + 1])
        p2 = p2 + input(i + 2) * V(repeating: w[i + 2]); p3 = p3 + input(i + 3) * V(repeating: w[i + 3])
        i += 4
    }
    while i < n { p0 = p0 + input(i) * V(repeating: w[i]); i += 1 }
    let sum = V(repeating: layer.bias[o]) + ((p0 + p1) + (p2 + p3))
    UnsafeMutableRawPointer(y + o * stride + lane).storeBytes(of: activateInPass(layer, sum), as: V.self)
}
