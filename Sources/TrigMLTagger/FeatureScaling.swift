import TrigMLCore
import TrigMLKernels

/// The training-time input transform stored with a model:
/// x' = (x - offset) * scale per feature, in double.
package struct FeatureScaling {
    package let offset: [Double]
    package let scale: [Double]

    package static func identity(_ count: Int) -> FeatureScaling {
        FeatureScaling(offset: Array(repeating: 0, count: count), scale: Array(repeating: 1, count: count))
    }

    /// `node` is {"offset": [...], "scale": [...]}, both of length `count`;
    /// absent means the identity.
    static func parse(_ node: JSONNode?, count: Int) throws -> FeatureScaling {
        guard let node else { return .identity(count) }
        return FeatureScaling(offset: try node.member("offset").finiteDoubles(count: count),
                              scale: try node.member("scale").finiteDoubles(count: count))
    }

    @inline(__always)
    func apply(_ x: Float, _ i: Int) -> Double { (Double(x) - offset[i]) * scale[i] }

    /// Scales `rows` consecutive feature rows (row-major, `offset.count`
    /// features each) into lanes 0..<rows of `tile[0 ..< offset.count]`;
    /// a lane with a non-finite scaled value is marked in `finite`.
    @inline(__always)
    func fillTile(_ tile: UnsafeMutablePointer<Lanes>, from rowsStart: UnsafePointer<Float>, rows: Int,
                  finite: inout SIMDMask<Lanes.MaskStorage>) {
        let features = offset.count
        for lane in 0..<rows {
            let row = rowsStart + lane * features
            for k in 0..<features {
                let v = apply(row[k], k)
                if !v.isFinite { finite[lane] = false }
                tile[k][lane] = v
            }
        }
    }
}
