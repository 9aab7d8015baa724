import TrigMLCore
import TrigMLCPU

/// The members of a `tml_t5_batch` as they arrive (the C ABI layer copies
/// them out of the C struct; nothing is checked yet). Names in messages are
/// the C members'.
package struct T5BatchColumns {
    package var mdCount: UInt64 = 0, t3Count: UInt64 = 0, t5Count: UInt64 = 0
    package var x, y, z, r, eta, phi: UnsafePointer<Float>?
    package var layer: UnsafePointer<UInt8>?
    package var t3MD: UnsafePointer<UInt32>?
    package var t3Radius: UnsafePointer<Float>?
    package var t5T3: UnsafePointer<UInt32>?

    package init() {}
}

/// A `tml_t5_batch` whose pointers, counts and index chain have been
/// checked, so the feature code can read it without bounds checks.
///
/// Index and shape errors fail here, before any output is written (the
/// contract's rule). Non-finite values are not errors (they give NaN scores).
package struct T5Batch {
    package let mdCount: Int
    package let t3Count: Int
    package let t5Count: Int
    /// The checked columns, as the feature kernels read them.
    let record: T5BatchRecord
    /// The feature set reads `md_layer` (lst-v1), so every anchor's layer is checked.
    let readsLayer: Bool
    var eta: UnsafePointer<Float> { record.eta }
    var layer: UnsafePointer<UInt8>? { record.layer }
    var t3MD: UnsafePointer<UInt32> { record.t3MD }
    var t3Radius: UnsafePointer<Float> { record.t3Radius }
    var t5T3: UnsafePointer<UInt32> { record.t5T3 }

    /// A placeholder for NULL columns of empty arrays: never dereferenced,
    /// because every index into an empty array is rejected.
    private static let nothing: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private static let noIndex: UnsafeMutablePointer<UInt32> = .allocate(capacity: 1)

    package init(_ b: T5BatchColumns, featureSet: T5FeatureSet) throws {
        mdCount = try checkedCount(b.mdCount, elementBytes: 4, what: "n_md")
        t3Count = try checkedCount(b.t3Count, elementBytes: 4, perItem: 3, what: "n_t3")
        t5Count = try checkedCount(b.t5Count, elementBytes: 4, perItem: 2, what: "n_t5")

        func column<T>(_ p: UnsafePointer<T>?, _ name: String, count: Int, placeholder: UnsafePointer<T>) throws -> UnsafePointer<T> {
            if let p { return p }
            if count == 0 { return placeholder }
            throw TMLError.invalid("tml_t5_batch.\(name) is NULL but its count is \(count)")
        }
        let none = UnsafePointer(Self.nothing), noIndex = UnsafePointer(Self.noIndex)
        readsLayer = featureSet.needsLayer
        record = (
            x: try column(b.x, "md_x", count: mdCount, placeholder: none),
            y: try column(b.y, "md_y", count: mdCount, placeholder: none),
            z: try column(b.z, "md_z", count: mdCount, placeholder: none),
            r: try column(b.r, "md_r", count: mdCount, placeholder: none),
            eta: try column(b.eta, "md_eta", count: mdCount, placeholder: none),
            phi: try column(b.phi, "md_phi", count: mdCount, placeholder: none),
            layer: b.layer,
            t3MD: try column(b.t3MD, "t3_md", count: t3Count, placeholder: noIndex),
            t3Radius: try column(b.t3Radius, "t3_radius", count: t3Count, placeholder: none),
            t5T3: try column(b.t5T3, "t5_t3", count: t5Count, placeholder: noIndex))
        if featureSet.needsLayer && b.layer == nil && mdCount > 0 {
            throw TMLError.invalid("tml_t5_batch.md_layer is NULL but feature set \(featureSet.rawValue) needs the anchor layers")
        }
        try checkIndexChain()
    }

    /// Every T5 must name two existing T3s whose MDs exist, chained through
    /// the shared MD (outer T3's first = inner T3's last). A whole chain is
    /// recognised by `t5ChainIsWhole` (the one-candidate road's test too);
    /// only a broken one, or a feature set that reads the anchors' layers,
    /// goes through the checks that name the first problem.
    private func checkIndexChain() throws {
        for t in 0..<t5Count where readsLayer || !t5ChainIsWhole(t, t5T3: t5T3, t3MD: t3MD, t3Count: UInt64(t3Count),
                                                                   mdCount: UInt64(mdCount)) {
            try explainChain(ofT5: t)
        }
    }

    /// T5 `t`'s chain checked step by step, throwing the first problem.
    private func explainChain(ofT5 t: Int) throws {
        let nT3 = UInt32(truncatingIfNeeded: min(t3Count, Int(UInt32.max)))
        let t3Fits = t3Count <= Int(UInt32.max)
        let inner = t5T3[2 * t], outer = t5T3[2 * t + 1]
        if t3Fits && inner >= nT3 {
            throw TMLError.invalid("t5_t3[\(t)][0] = \(inner) is past n_t3 = \(t3Count)")
        }
        if t3Fits && outer >= nT3 {
            throw TMLError.invalid("t5_t3[\(t)][1] = \(outer) is past n_t3 = \(t3Count)")
        }
        try checkAnchors(ofT3: inner, role: "inner", t5: t)
        try checkAnchors(ofT3: outer, role: "outer", t5: t)
        let shared = t3MD[3 * Int(inner) + 2], outerFirst = t3MD[3 * Int(outer)]
        if shared != outerFirst {
            throw TMLError.invalid("T5 \(t): outer T3 \(outer) starts at MD \(outerFirst) but inner T3 \(inner) ends at MD \(shared); they must share it")
        }
    }

    @inline(__always)
    private func checkAnchors(ofT3 t3: UInt32, role: String, t5 t: Int) throws {
        for k in 0..<3 {
            let md = t3MD[3 * Int(t3) + k]
            if Int(md) >= mdCount {
                throw TMLError.invalid("t3_md[\(t3)][\(k)] = \(md) (the \(role) T3 of T5 \(t)) is past n_md = \(mdCount)")
            }
            // LST numbers layers 1-6 in the barrel and 7-11 in the endcap
            // (`modules.layers + 6 * (subdet == 4)`, TrackLooper SDL/NeuralNetwork.h);
            // any other value would be a different network input, silently.
            if readsLayer, let layer, !(1...11).contains(layer[Int(md)]) {
                throw TMLError.invalid("md_layer[\(md)] = \(layer[Int(md)]) (MD \(md), anchor of the \(role) T3 \(t3) of T5 \(t)) is outside 1-11 (1-6 barrel, 7-11 endcap); feature set lst-v1 reads it")
            }
        }
    }

    /// The five anchor MDs of T5 `t`, inner to outer, as `t5dnn::runInference`
    /// takes them (RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h): the
    /// inner T3's three MDs, then the outer T3's last two.
    @inline(__always)
    func anchors(_ t: Int) -> (Int, Int, Int, Int, Int) {
        let inner = 3 * Int(t5T3[2 * t]), outer = 3 * Int(t5T3[2 * t + 1])
        return (Int(t3MD[inner]), Int(t3MD[inner + 1]), Int(t3MD[inner + 2]),
                Int(t3MD[outer + 1]), Int(t3MD[outer + 2]))
    }

    /// md1 of T5 `t`: the first MD of its inner T3.
    @inline(__always)
    func firstAnchor(_ t: Int) -> Int { Int(t3MD[3 &* Int(t5T3[2 &* t])]) }

    @inline(__always)
    func innerRadius(_ t: Int) -> Float { t3Radius[Int(t5T3[2 * t])] }
    @inline(__always)
    func outerRadius(_ t: Int) -> Float { t3Radius[Int(t5T3[2 * t + 1])] }
}

/// Whether T5 `t`'s index chain is whole: both T3s below `t3Count`, their
/// six MDs below `mdCount`, the outer T3 starting at the inner T3's last MD.
/// The one definition both roads accept a batch by (T5Batch, T5FewCandidates).
@inline(__always)
func t5ChainIsWhole(_ t: Int, t5T3: UnsafePointer<UInt32>, t3MD: UnsafePointer<UInt32>,
                    t3Count: UInt64, mdCount: UInt64) -> Bool {
    let inner = UInt64(t5T3[2 &* t]), outer = UInt64(t5T3[2 &* t &+ 1])
    guard inner < t3Count, outer < t3Count else { return false }
    let innerMDs = t3MD + 3 &* Int(inner), outerMDs = t3MD + 3 &* Int(outer)
    return UInt64(innerMDs[0]) < mdCount && UInt64(innerMDs[1]) < mdCount && UInt64(innerMDs[2]) < mdCount
        && UInt64(outerMDs[0]) < mdCount && UInt64(outerMDs[1]) < mdCount && UInt64(outerMDs[2]) < mdCount
        && innerMDs[2] == outerMDs[0]
}
