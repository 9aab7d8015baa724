/// Candidates (T5) per float tile. Sixteen floats are one AVX-512 register,
/// two AVX or four SSE registers: wide enough that the network's multiply
/// and add units stay busy on every path, and each lane is one candidate.
@usableFromInline package typealias FloatTile = SIMD16<Float>

/// Outputs of a float layer are padded to a multiple of this, so a
/// one-candidate pass (FloatSingleNetwork) reads and writes whole tiles.
@inlinable package var floatRowPadding: Int { FloatTile.scalarCount }

/// One dense layer of a float (T5) network, as both float kernels read it:
/// `weights[i * stride + o]` (input-major, the layout of LST's `wgtT_*[in][out]`
/// arrays, cmssw RecoTracker/LSTCore/src/alpaka/T5NeuralNetworkWeights.h),
/// each row padded with zeros from `outputs` to `stride`; `bias` padded alike.
/// A padded output computes 0 and is never read.
package struct FloatLayerRecord {
    package var inputs: Int
    package var outputs: Int
    package var stride: Int
    package var activation: Activation
    package var alpha: Double
    package var weights: UnsafePointer<Float>
    package var bias: UnsafePointer<Float>

    package init(inputs: Int, outputs: Int, stride: Int, activation: Activation, alpha: Double,
                 weights: UnsafePointer<Float>, bias: UnsafePointer<Float>) {
        (self.inputs, self.outputs, self.stride) = (inputs, outputs, stride)
        (self.activation, self.alpha) = (activation, alpha)
        (self.weights, self.bias) = (weights, bias)
    }
}
