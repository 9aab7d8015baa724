import TrigMLCore

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
}
