/// Dense feed-forward networks evaluated with candidates on SIMD lanes.
///
/// Precision: weights and inputs are float32 (as trained and as stored in
/// the model file); every multiply-add accumulates in double, and hidden
/// activations stay double. A float32 x float32 product is exact in double,
/// so the first layer's sums do not depend on fused or unfused arithmetic,
/// and the result equals a float64 evaluation (numpy's) up to summation
/// order (~1e-16). Accumulating in float32 instead was measured to miss the
/// 1e-6 score parity on lst-v1, whose raw inputs (z up to 267 cm) give
/// pre-activations above 100.
///
/// Layout: a tile holds `laneWidth` candidates; a layer's input is `inputs`
/// vectors (one per input neuron, each holding that neuron's value for every
/// candidate of the tile). An output neuron is a multiply-add chain
/// `acc + x_i * w_io` with the weight broadcast. Four outputs per pass:
/// with 4 candidates per tile on baseline x86-64 (2 SSE2 registers per
/// vector, 8 accumulator registers of 16) and 8 per tile when built with
/// `-DTRIGML_WIDE_VECTORS` next to `-target-cpu haswell` or newer (2 AVX
/// registers per vector, 8 of 16). Each output is one sequential sum in
/// input order, so results never depend on the tile a candidate lands in,
/// the batch size or the thread count.
#if TRIGML_WIDE_VECTORS
@usableFromInline package typealias Lanes = SIMD8<Double>
#else
@usableFromInline package typealias Lanes = SIMD4<Double>
#endif
package let laneWidth = Lanes.scalarCount
/// Outputs computed per pass over the inputs.
let outputGroup = 4

/// acc + x * w: fused on wide builds (their CPU has FMA units), unfused on
/// baseline x86-64, where a fused multiply-add is a software call per lane.
@inline(__always)
func multiplyAdd(_ acc: Lanes, _ x: Lanes, _ w: Double) -> Lanes {
#if TRIGML_WIDE_VECTORS
    return acc.addingProduct(x, w)
#else
    return acc + x * w
#endif
}

/// Hidden-layer activations. `leakyRelu` and `elu` take the layer's
/// `alpha` (negative-side slope, resp. scale of exp(x) - 1); `tanh` and the
/// exponential of `elu` use `expNonPositive` (relative error < 3e-13).
package enum Activation: String {
    case linear
    case relu
    case leakyRelu = "leaky_relu"
    case elu
    case tanh
}

package struct DenseLayer {
    package let inputs: Int
    package let outputs: Int
    package let activation: Activation
    /// Parameter of `leakyRelu` / `elu`; unused otherwise.
    package let alpha: Double
    /// Full groups of `outputGroup` outputs, stored [group][input][4] so
    /// that the weights one input feeds are contiguous.
    let groupedWeights: [Double]
    /// Outputs past the last full group, stored [output][input].
    let tailWeights: [Double]
    let bias: [Double]
    /// The same weights and biases as float32, in the same layouts, for the
    /// float kernel that follows LST's arithmetic (FloatNetwork.swift).
    let floatGroupedWeights: [Float]
    let floatTailWeights: [Float]
    let floatBias: [Float]

    /// `weights` is input-major, `weights[i * outputs + o]`: the layout of
    /// LST's `wgtT_*[in][out]` arrays (PyTorch's `Linear.weight` transposed).
    /// Nil when the array sizes do not match `inputs` and `outputs`.
    package init?(inputs: Int, outputs: Int, weights: [Float], bias: [Float], activation: Activation,
                 alpha: Double = 0) {
        guard inputs > 0, outputs > 0, inputs <= 1 << 16, outputs <= 1 << 16,
              weights.count == inputs * outputs, bias.count == outputs, alpha.isFinite else { return nil }
        self.inputs = inputs
        self.outputs = outputs
        self.activation = activation
        self.alpha = alpha
        self.bias = bias.map(Double.init)
        let groups = outputs / outputGroup
        var grouped = [Double](repeating: 0, count: groups * inputs * outputGroup)
        for g in 0..<groups {
            for i in 0..<inputs {
                for k in 0..<outputGroup {
                    grouped[(g * inputs + i) * outputGroup + k] = Double(weights[i * outputs + g * outputGroup + k])
                }
            }
        }
        var tail: [Double] = []
        for o in (groups * outputGroup)..<outputs {
            for i in 0..<inputs { tail.append(Double(weights[i * outputs + o])) }
        }
        groupedWeights = grouped
        tailWeights = tail
        // float32 -> double -> float32 is exact, so both kernels read the file's numbers.
        floatGroupedWeights = grouped.map { Float($0) }
        floatTailWeights = tail.map { Float($0) }
        floatBias = bias
    }
}

package struct DenseNetwork {
    package let layers: [DenseLayer]
    package var inputCount: Int { layers.first?.inputs ?? 0 }
    package var outputCount: Int { layers.last?.outputs ?? 0 }
    /// Widest layer: the size (in lane vectors) of each scratch buffer.
    package let maxWidth: Int

    package init(layers: [DenseLayer]) {
        self.layers = layers
        maxWidth = layers.reduce(layers.first?.inputs ?? 0) { max($0, $1.outputs) }
    }

    /// Scratch needed by `evaluate`, in lane vectors.
    package var scratchCount: Int { 2 * maxWidth }

    /// Runs one tile. `input` holds `inputCount` lane vectors; `output`
    /// receives `outputCount` lane vectors of pre-activation-free results
    /// (the last layer's activation is applied as stored; a sigmoid or
    /// softmax head is the caller's, so it can guard large logits).
    @inline(__always)
    package func evaluate(input: UnsafePointer<Lanes>, output: UnsafeMutablePointer<Lanes>,
                         scratch: UnsafeMutablePointer<Lanes>) {
        var source = input
        let ping = scratch
        let pong = scratch + maxWidth
        for (index, layer) in layers.enumerated() {
            let destination = index == layers.count - 1 ? output : (index % 2 == 0 ? ping : pong)
            layer.forward(source, destination)
            source = UnsafePointer(destination)
        }
    }
}

extension DenseLayer {
    @inline(__always)
    func forward(_ x: UnsafePointer<Lanes>, _ y: UnsafeMutablePointer<Lanes>) {
        let n = inputs
        let groups = outputs / outputGroup
        groupedWeights.withUnsafeBufferPointer { gw in
            bias.withUnsafeBufferPointer { b in
                guard let weightBase = gw.baseAddress, let biasBase = b.baseAddress else { return }
                for g in 0..<groups {
                    let o = g * outputGroup
                    var a0 = Lanes(repeating: biasBase[o]), a1 = Lanes(repeating: biasBase[o + 1])
                    var a2 = Lanes(repeating: biasBase[o + 2]), a3 = Lanes(repeating: biasBase[o + 3])
                    var w = weightBase + g * n * outputGroup
                    for i in 0..<n {
                        let xi = x[i]
                        a0 = multiplyAdd(a0, xi, w[0]); a1 = multiplyAdd(a1, xi, w[1])
                        a2 = multiplyAdd(a2, xi, w[2]); a3 = multiplyAdd(a3, xi, w[3])
                        w += outputGroup
                    }
                    y[o] = activate(a0); y[o + 1] = activate(a1)
                    y[o + 2] = activate(a2); y[o + 3] = activate(a3)
                }
            }
        }
        let first = groups * outputGroup
        if first == outputs { return }
        tailWeights.withUnsafeBufferPointer { tw in
            guard let tailBase = tw.baseAddress else { return }
            for o in first..<outputs {
                let w = tailBase + (o - first) * n
                var p0 = Lanes(), p1 = Lanes(), p2 = Lanes(), p3 = Lanes()
                var i = 0
                while i + 4 <= n {
                    p0 = multiplyAdd(p0, x[i], w[i]); p1 = multiplyAdd(p1, x[i + 1], w[i + 1])
                    p2 = multiplyAdd(p2, x[i + 2], w[i + 2]); p3 = multiplyAdd(p3, x[i + 3], w[i + 3])
                    i += 4
                }
                while i < n { p0 = multiplyAdd(p0, x[i], w[i]); i += 1 }
                y[o] = activate(Lanes(repeating: bias[o]) + ((p0 + p1) + (p2 + p3)))
            }
        }
    }

    @inline(__always)
    func activate(_ v: Lanes) -> Lanes {
        switch activation {
        case .linear: return v
        case .relu: return v.replacing(with: 0, where: v .< 0)
        case .leakyRelu: return v.replacing(with: v * alpha, where: v .< 0)
        case .elu:
            let negative = v .< 0
            let e = expNonPositive(v.replacing(with: 0, where: .!negative))
            return v.replacing(with: alpha * (e - 1), where: negative)
        case .tanh: return hyperbolicTangent(v)
        }
    }
}

/// tanh on all lanes: with e = exp(-2|x|) in (0, 1], tanh|x| = (1 - e)/(1 + e),
/// then the sign of x. Finite for every input; NaN stays NaN.
@inline(__always)
package func hyperbolicTangent(_ x: Lanes) -> Lanes {
    let e = expNonPositive(-2 * x.magnitude)
    let t = (1 - e) / (1 + e)
    return t.replacing(with: -t, where: x .< 0)
}
