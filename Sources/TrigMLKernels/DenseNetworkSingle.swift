/// One candidate at a time, outputs on SIMD lanes: the path for batches
/// (or batch tails) smaller than a tile, where the tile kernel would do a
/// whole tile's work for one candidate.
///
/// Same arithmetic as the tile kernel, output by output: the bias, then
/// `acc + x_i * w_io` for the inputs in order (fused exactly where the tile
/// kernel fuses), and the same four interleaved partial sums for outputs
/// past the last full group. So a candidate gets the same bits whichever
/// path scores it.
typealias OutputQuad = SIMD4<Double>

@inline(__always)
func multiplyAdd(_ acc: OutputQuad, _ x: Double, _ w: OutputQuad) -> OutputQuad {
#if TRIGML_WIDE_VECTORS
    return acc.addingProduct(w, x)
#else
    return acc + w * x
#endif
}

@inline(__always)
func multiplyAdd(_ acc: Double, _ x: Double, _ w: Double) -> Double {
#if TRIGML_WIDE_VECTORS
    return acc.addingProduct(x, w)
#else
    return acc + x * w
#endif
}

extension DenseNetwork {
    /// Scratch for `evaluateSingle`, in doubles.
    package var singleScratchCount: Int { 2 * paddedWidth }

    /// Widest layer rounded up to whole lane vectors (activations are
    /// applied a lane vector at a time).
    var paddedWidth: Int { (maxWidth + laneWidth - 1) / laneWidth * laneWidth }

    /// `input`: `inputCount` doubles; `output`: `outputCount` doubles (room
    /// for a whole lane vector).
    @inline(__always)
    package func evaluateSingle(input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>,
                               scratch: UnsafeMutablePointer<Double>) {
        var source = input
        let ping = scratch, pong = scratch + paddedWidth
        for (index, layer) in layers.enumerated() {
            let destination = index == layers.count - 1 ? output : (index % 2 == 0 ? ping : pong)
            layer.forwardSingle(source, destination)
            source = UnsafePointer(destination)
        }
    }
}

extension DenseLayer {
    @inline(__always)
    func forwardSingle(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>) {
        let n = inputs
        let groups = outputs / outputGroup
        groupedWeights.withUnsafeBufferPointer { gw in
            bias.withUnsafeBufferPointer { b in
                guard let w = gw.baseAddress, let bias = b.baseAddress else { return }
                let raw = UnsafeRawPointer(w)
                @inline(__always) func weights(_ g: Int, _ i: Int) -> OutputQuad {
                    raw.loadUnaligned(fromByteOffset: ((g * n + i) * outputGroup) * 8, as: OutputQuad.self)
                }
                @inline(__always) func biases(_ g: Int) -> OutputQuad {
                    UnsafeRawPointer(bias).loadUnaligned(fromByteOffset: g * outputGroup * 8, as: OutputQuad.self)
                }
                // Four groups (16 outputs) per pass: four independent chains.
                var g = 0
                while g < groups {
                    let g1 = min(g + 1, groups - 1), g2 = min(g + 2, groups - 1), g3 = min(g + 3, groups - 1)
                    var a0 = biases(g), a1 = biases(g1), a2 = biases(g2), a3 = biases(g3)
                    for i in 0..<n {
                        let xi = x[i]
                        a0 = multiplyAdd(a0, xi, weights(g, i)); a1 = multiplyAdd(a1, xi, weights(g1, i))
                        a2 = multiplyAdd(a2, xi, weights(g2, i)); a3 = multiplyAdd(a3, xi, weights(g3, i))
                    }
                    let out = UnsafeMutableRawPointer(y)
                    out.storeBytes(of: a0, toByteOffset: g * outputGroup * 8, as: OutputQuad.self)
                    out.storeBytes(of: a1, toByteOffset: g1 * outputGroup * 8, as: OutputQuad.self)
                    out.storeBytes(of: a2, toByteOffset: g2 * outputGroup * 8, as: OutputQuad.self)
                    out.storeBytes(of: a3, toByteOffset: g3 * outputGroup * 8, as: OutputQuad.self)
                    g += 4
                }
            }
        }
        let first = groups * outputGroup
        if first < outputs {
            tailWeights.withUnsafeBufferPointer { tw in
                guard let tailBase = tw.baseAddress else { return }
                for o in first..<outputs {
                    let w = tailBase + (o - first) * n
                    var p0 = 0.0, p1 = 0.0, p2 = 0.0, p3 = 0.0
                    var i = 0
                    while i + 4 <= n {
                        p0 = multiplyAdd(p0, x[i], w[i]); p1 = multiplyAdd(p1, x[i + 1], w[i + 1])
                        p2 = multiplyAdd(p2, x[i + 2], w[i + 2]); p3 = multiplyAdd(p3, x[i + 3], w[i + 3])
                        i += 4
                    }
                    while i < n { p0 = multiplyAdd(p0, x[i], w[i]); i += 1 }
                    y[o] = bias[o] + ((p0 + p1) + (p2 + p3))
                }
            }
        }
        // The activation, a lane vector at a time (elementwise, so the
        // chunking cannot change a value).
        let raw = UnsafeMutableRawPointer(y)
        var o = 0
        while o < outputs {
            let v = raw.loadUnaligned(fromByteOffset: o * 8, as: Lanes.self)
            raw.storeBytes(of: activate(v), toByteOffset: o * 8, as: Lanes.self)
            o += laneWidth
        }
    }
}
