import TrigMLCPU

/// Dense feed-forward networks evaluated with candidates on SIMD lanes; the
/// loops themselves are the active kernel path's (KernelDispatch.swift,
/// Sources/TrigMLCPUBaseline/DoubleLayers.swift and FloatLayers.swift).
///
/// Precision of the double kernel (the tagger's): weights and inputs are
/// float32 (as trained and as stored in the model file); every multiply-add
/// accumulates in double, and hidden activations stay double. A float32 x
/// float32 product is exact in double, and the result equals a float64
/// evaluation (numpy's) up to summation order (~1e-16). Products and sums
/// are rounded separately on every path (no fused multiply-add), so every
/// path gives the same bits.
///
/// Layout: a tile holds `laneWidth` candidates; a layer's input is `inputs`
/// vectors (one per input neuron, each holding that neuron's value for every
/// candidate of the tile). Each output is one sequential sum in input order,
/// so results never depend on the tile a candidate lands in, the batch size,
/// the thread count or the kernel path.
@usableFromInline package typealias Lanes = DoubleTile
@inlinable package var laneWidth: Int { Lanes.scalarCount }
/// Hidden-layer activations (the kernels' record type, named here for the
/// modules that read model files).
package typealias Activation = TrigMLCPU.Activation

/// The layer's numbers in the layouts of `DenseLayerView`, allocated once
/// per layer and freed with it; the view's pointers point here. The float
/// kernels (T5) read their own padded copy (FloatNetwork.swift).
final class LayerStorage {
    let doubles: UnsafeMutablePointer<Double>

    init(count: Int) {
        doubles = .allocate(capacity: count)
    }

    deinit {
        doubles.deallocate()
    }
}

package struct DenseLayer {
    package var inputs: Int { view.inputs }
    package var outputs: Int { view.outputs }
    package var activation: Activation { view.activation }
    /// Parameter of `leakyRelu` / `elu`; unused otherwise.
    package var alpha: Double { view.alpha }
    /// Pointers into `storage`, which this layer keeps alive.
    package let view: DenseLayerView
    let storage: LayerStorage

    /// `weights` is input-major, `weights[i * outputs + o]`: the layout of
    /// LST's `wgtT_*[in][out]` arrays (PyTorch's `Linear.weight` transposed).
    /// Nil when the array sizes do not match `inputs` and `outputs`.
    package init?(inputs: Int, outputs: Int, weights: [Float], bias: [Float], activation: Activation,
                 alpha: Double = 0) {
        guard inputs > 0, outputs > 0, inputs <= 1 << 16, outputs <= 1 << 16,
              weights.count == inputs * outputs, bias.count == outputs, alpha.isFinite else { return nil }
        let groups = outputs / outputGroup
        let groupedCount = groups * inputs * outputGroup
        let tailCount = (outputs - groups * outputGroup) * inputs
        // grouped | tail | bias, each the file's float32 numbers (float32 ->
        // double -> float32 is exact, so `weight(input:output:)` gives back
        // the file's values and the float kernels read the same numbers).
        var ordered = [Float](repeating: 0, count: groupedCount + tailCount + outputs)
        for g in 0..<groups {
            for i in 0..<inputs {
                for k in 0..<outputGroup {
                    ordered[(g * inputs + i) * outputGroup + k] = weights[i * outputs + g * outputGroup + k]
                }
            }
        }
        var next = groupedCount
        for o in (groups * outputGroup)..<outputs {
            for i in 0..<inputs { ordered[next] = weights[i * outputs + o]; next += 1 }
        }
        for o in 0..<outputs { ordered[next + o] = bias[o] }
        let storage = LayerStorage(count: ordered.count)
        for (index, value) in ordered.enumerated() {
            storage.doubles[index] = Double(value)
        }
        self.storage = storage
        let tail = groupedCount, biasStart = groupedCount + tailCount
        view = DenseLayerView(inputs: inputs, outputs: outputs, activation: activation, alpha: alpha,
                              groupedWeights: storage.doubles, tailWeights: storage.doubles + tail,
                              bias: storage.doubles + biasStart)
    }

    /// Weight of input `i` into output `o` (for tests and tools).
    package func weight(input i: Int, output o: Int) -> Float {
        let groups = outputs / outputGroup
        if o < groups * outputGroup {
            return Float(view.groupedWeights[((o / outputGroup) * inputs + i) * outputGroup + o % outputGroup])
        }
        return Float(view.tailWeights[(o - groups * outputGroup) * inputs + i])
    }

    /// Bias of output `o` (for tests and tools).
    package func bias(output o: Int) -> Float { Float(view.bias[o]) }
}

package struct DenseNetwork {
    package let layers: [DenseLayer]
    /// The layers' views, in order, for the kernels.
    let views: [DenseLayerView]
    package var inputCount: Int { layers.first?.inputs ?? 0 }
    package var outputCount: Int { layers.last?.outputs ?? 0 }
    /// Widest layer: the size (in lane vectors) of each scratch buffer.
    package let maxWidth: Int

    package init(layers: [DenseLayer]) {
        self.layers = layers
        views = layers.map(\.view)
        maxWidth = layers.reduce(layers.first?.inputs ?? 0) { max($0, $1.outputs) }
    }

    /// Scratch needed by `evaluate`, in lane vectors.
    package var scratchCount: Int { 2 * maxWidth }

    /// Lanes per row of `evaluateRows` must be padded to a multiple of this.
    package static let rowStrideGranule = 8

    /// Scratch needed by `evaluateRows` with rows `stride` apart, in doubles.
    package func rowScratchCount(stride: Int) -> Int { 2 * maxWidth * stride }

    /// Runs the network over `lanes` lanes held as rows (`inputCount` input
    /// rows, row k at `input + k * stride`; `stride` a multiple of
    /// `rowStrideGranule`) into `outputCount` output rows, on the active
    /// kernel path. Each lane gets exactly the arithmetic of `evaluate`
    /// (Sources/TrigMLCPUBaseline/DoubleRows.swift); lanes from `lanes` to
    /// the next multiple of 8 hold values to ignore.
    @inline(__always)
    package func evaluateRows(input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>,
                              scratch: UnsafeMutablePointer<Double>, lanes: Int, stride: Int,
                              kernels: KernelTable = KernelDispatch.active) {
        views.withUnsafeBufferPointer { layerViews in
            guard let first = layerViews.baseAddress else { return }
            kernels.doubleRows(first, layerViews.count, maxWidth, input, output, scratch, lanes, stride)
        }
    }

    /// Runs one double tile on the active kernel path. `input` holds
    /// `inputCount` lane vectors; `output` receives `outputCount` lane
    /// vectors (the last layer's activation is applied as stored; a sigmoid
    /// or softmax head is the caller's, so it can guard large logits).
    @inline(__always)
    package func evaluate(input: UnsafePointer<Lanes>, output: UnsafeMutablePointer<Lanes>,
                         scratch: UnsafeMutablePointer<Lanes>, kernels: KernelTable = KernelDispatch.active) {
        views.withUnsafeBufferPointer { layerViews in
            guard let first = layerViews.baseAddress else { return }
            kernels.doubleNetwork(first, layerViews.count, maxWidth, input, output, scratch)
        }
    }
}
