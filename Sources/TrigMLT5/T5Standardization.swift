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

    /// Standardises lanes 0..<lanes of the `mean.count` input vectors of a tile.
    @inline(__always)
    func apply(_ tile: UnsafeMutablePointer<Lanes>, lanes: Int) {
        for i in mean.indices {
            let m = mean[i], s = std[i]
            for lane in 0..<lanes {
                let x = Float(tile[i][lane])
                tile[i][lane] = Lanes.Scalar((x - m) / s)
            }
        }
    }
}
