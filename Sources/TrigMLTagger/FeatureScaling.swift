import TrigMLCore
import TrigMLKernels

/// The input transform stored with a model, per feature: the caller's
/// physics quantity x becomes
///
///     x' = (float32(x / divideBy) - offset) * scale
///
/// The division is the normalisation the training sample was made with
/// (multiplicity / 50 written as float32), so it is done in float32, which
/// is bit for bit what the sample-making code stored; the standardisation
/// runs in double as before. `divideBy` is 1 for a format-version-1 file,
/// whose inputs arrive already normalised (x / 1 is x for every float).
package struct FeatureScaling {
    package let divideBy: [Float]
    package let offset: [Double]
    package let scale: [Double]

    package static func identity(_ count: Int) -> FeatureScaling {
        FeatureScaling(divideBy: Array(repeating: 1, count: count), offset: Array(repeating: 0, count: count),
                       scale: Array(repeating: 1, count: count))
    }

    /// Format version 1: `node` is {"offset": [...], "scale": [...]}, both
    /// of length `count`; absent means the identity.
    static func parse(_ node: JSONNode?, count: Int) throws -> FeatureScaling {
        guard let node else { return .identity(count) }
        try node.allowOnly(["offset", "scale"])
        return FeatureScaling(divideBy: Array(repeating: 1, count: count),
                              offset: try node.member("offset").finiteDoubles(count: count),
                              scale: try node.member("scale").finiteDoubles(count: count))
    }

    @inline(__always)
    func apply(_ x: Float, _ i: Int) -> Double { (Double(x / divideBy[i]) - offset[i]) * scale[i] }

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

/// Format version 2: a list of inputs, each naming the physics quantity the
/// caller passes and carrying its whole transform:
/// `{"name": "multiplicity", "divide_by": 50, "offset": 0.9, "scale": 3.0}`
/// (`divide_by`, `offset`, `scale` optional: 1, 0, 1).
struct TaggerInputs {
    static let keys = ["name", "divide_by", "offset", "scale"]

    let names: [String]
    let scaling: FeatureScaling

    init(_ node: JSONNode) throws {
        let items = try node.array()
        guard items.count <= TaggerModel.maxFeatures else {
            throw TMLError.shape("\(node.path) lists \(items.count) inputs; at most \(TaggerModel.maxFeatures)")
        }
        var names: [String] = [], divideBy: [Float] = [], offset: [Double] = [], scale: [Double] = []
        for item in items {
            if case .string = item.value {
                throw item.fail("is a bare name; format_version 2 lists each input as {\"name\": ..., \"offset\": ..., \"scale\": ...}")
            }
            try item.allowOnly(Self.keys)
            names.append(try item.member("name").string())
            let divisor = try item.optionalMember("divide_by")
            let d = try divisor?.finiteFloat() ?? 1
            if let divisor, d == 0 { throw divisor.fail("is 0; an input cannot be divided by 0") }
            divideBy.append(d)
            offset.append(try item.optionalMember("offset")?.finiteDouble() ?? 0)
            scale.append(try item.optionalMember("scale")?.finiteDouble() ?? 1)
        }
        self.names = names
        scaling = FeatureScaling(divideBy: divideBy, offset: offset, scale: scale)
    }
}
