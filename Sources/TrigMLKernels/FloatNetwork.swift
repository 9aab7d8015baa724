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
/// Candidates per float tile (FloatTile: one AVX-512 register).
@usableFromInline package typealias FloatLanes = FloatTile
@inlinable package var floatLaneWidth: Int { FloatLanes.scalarCount }

/// Where the bias enters an output's float sum.
package enum BiasOrder {
    /// `out = bias; out += in[j] * w[j]` (LST v2, cms-sw #46857 onwards).
    case first
    /// `out = 0; out += in[j] * w[j]; out += bias` (LST v1).
    case last
}

/// A network's float layers in the kernels' layout (FloatLayerRecord:
/// input-major rows padded to whole tiles), built once when a model loads.
package final class FloatNetwork {
    /// The layer records, at a fixed address for as long as the network lives.
    let records: CheckedBuffer<FloatLayerRecord>
    /// Padded weights then padded biases of every layer; the records point here.
    let storage: CheckedBuffer<Float>
    package let inputCount: Int
    package let outputCount: Int
    /// Widest layer output (tile scratch) and widest padded row (one-candidate scratch).
    package let maxWidth: Int
    package let maxStride: Int

    package init(_ network: DenseNetwork) throws {
        var offsets: [(weights: Int, bias: Int, stride: Int)] = []
        var total = 0
        for layer in network.layers {
            let stride = (layer.outputs + floatRowPadding - 1) / floatRowPadding * floatRowPadding
            offsets.append((total, total + layer.inputs * stride, stride))
            total += (layer.inputs + 1) * stride
        }
        storage = try CheckedBuffer(count: total, initial: 0, what: "the T5 network's float weights", alignment: 64)
        var records: [FloatLayerRecord] = []
        for (layer, at) in zip(network.layers, offsets) {
            for o in 0..<layer.outputs {
                for i in 0..<layer.inputs { storage[at.weights + i * at.stride + o] = layer.weight(input: i, output: o) }
                storage[at.bias + o] = layer.bias(output: o)
            }
            records.append(FloatLayerRecord(inputs: layer.inputs, outputs: layer.outputs, stride: at.stride,
                                            activation: layer.activation, alpha: layer.alpha,
                                            weights: storage.pointer + at.weights, bias: storage.pointer + at.bias))
        }
        guard let firstRecord = records.first else { throw TMLError.shape("a T5 network needs at least one layer") }
        self.records = try CheckedBuffer(count: records.count, initial: firstRecord, what: "the T5 network's layer records")
        for (index, record) in records.enumerated() { self.records[index] = record }
        inputCount = network.inputCount
        outputCount = network.outputCount
        maxWidth = network.maxWidth
        maxStride = offsets.map(\.stride).max() ?? floatRowPadding
    }

    @inline(__always)
    func withLayers(_ body: (UnsafePointer<FloatLayerRecord>, Int) -> Void) {
        body(layers, layerCount)
    }

    /// The layer records (valid while the network lives) and their number.
    package var layers: UnsafePointer<FloatLayerRecord> { UnsafePointer(records.pointer) }
    package var layerCount: Int { records.count }

    /// Scratch for `evaluate`, in tiles.
    package var tileScratchCount: Int { 2 * maxWidth }
    /// Scratch for `evaluateSingle`, in floats (two layers' padded rows).
    package var singleScratchCount: Int { 2 * maxStride }

    /// Runs one tile on the active kernel path (or `kernels`): `input` holds
    /// `inputCount` lane vectors, `output` receives `outputCount` lane
    /// vectors (the last layer's activation as stored; a sigmoid or softmax
    /// head is the caller's).
    @inline(__always)
    package func evaluate(input: UnsafePointer<FloatLanes>, output: UnsafeMutablePointer<FloatLanes>,
                          scratch: UnsafeMutablePointer<FloatLanes>, biasOrder: BiasOrder,
                          kernels: KernelTable = KernelDispatch.active) {
        withLayers { kernels.floatNetwork($0, $1, maxWidth, input, output, scratch, biasOrder == .first) }
    }

    /// The same network for one candidate: `input` holds `inputCount`
    /// floats, `output` receives `maxStride` floats (the first `outputCount`
    /// are the outputs), `scratch` holds `singleScratchCount` floats. Same
    /// bits as that candidate's lane of `evaluate`.
    @inline(__always)
    package func evaluateSingle(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                                scratch: UnsafeMutablePointer<Float>, biasOrder: BiasOrder,
                                kernels: KernelTable = KernelDispatch.active) {
        withLayers { kernels.floatSingleNetwork($0, $1, maxStride, input, output, scratch, biasOrder == .first) }
    }
}

/// LST's sigmoid, `exp(x) / (exp(x) + 1.f)` in float with the C library's
/// `expf` (cmssw NeuralNetwork.h, `sigmoid_activation`), so its bits are
/// those of LST's CPU build on the same machine. One deliberate difference:
/// where `expf` overflows (x above about 88.72) LST divides infinity by
/// infinity and gets NaN, which fails every cut; here the score is 1, the
/// limit of the function (docs/numerics.md). NaN stays NaN.
/// Only the first `lanes` lanes are computed (the others hold no
/// candidate and give 0).
@inlinable @inline(__always)
package func lstSigmoid(_ logit: Float) -> Float {
    let e = expf(logit)
    return e == .infinity ? 1 : e / (e + 1)
}

/// `lstSigmoid` on the first `lanes` lanes of a tile.
@inline(__always)
package func lstSigmoid(_ logit: FloatLanes, lanes: Int = floatLaneWidth) -> FloatLanes {
    let e = cLibraryLanes(logit, lanes: lanes) { expf($0) }
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
        let e = cLibraryLanes(values[k], lanes: floatLaneWidth) { expf($0) }
        values[k] = e
        sum = sum + e
    }
    for k in 0..<count { values[k] = values[k] / sum }
}
