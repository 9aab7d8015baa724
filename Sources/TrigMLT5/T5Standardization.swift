import TrigMLCore
import TrigMLKernels

/// x' = (x - mean) / std per network input, applied after the feature set's
/// inputs and the extra inputs are gathered (the training's scaler travels
/// with the model, so callers pass raw physics quantities).
///
/// Arithmetic, mirrored by the numpy reference: float32 throughout, the
/// difference rounded to float32, then divided by the float32 std (no
/// multiplication by a reciprocal).
package struct T5Standardization {
    package let mean: [Float]
    package let std: [Float]

    static func parse(_ node: JSONNode, inputs: Int) throws -> T5Standardization {
        try node.allowOnly(["mean", "std"])
        let mean = try inconsistentFileIsFormat { try node.member("mean").finiteFloats(count: inputs) }
        let stdNode = try node.member("std")
        let std = try inconsistentFileIsFormat { try stdNode.finiteFloats(count: inputs) }
        for (i, s) in std.enumerated() where !(s > 0) {
            throw TMLError.format("\(stdNode.path)[\(i)] = \(s) must be > 0 (a finite float32 standard deviation)")
        }
        return T5Standardization(mean: mean, std: std)
    }

    /// Standardises the `mean.count` input vectors of a tile, every lane
    /// (a spare lane's result is ignored): float subtraction, rounded, then
    /// float division, lane by lane.
    @inline(__always)
    func apply(_ tile: UnsafeMutablePointer<FloatLanes>) {
        for i in mean.indices {
            tile[i] = (tile[i] - FloatLanes(repeating: mean[i])) / FloatLanes(repeating: std[i])
        }
    }
}
