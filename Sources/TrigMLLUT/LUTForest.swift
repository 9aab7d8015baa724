import TrigMLCore
import TrigMLForest

/// A forest prepared for LUT generation, with the LUT summation rule.
///
/// **Summation rule (every LUT path: one address at a time, tabulated,
/// any thread count, any range).** The BDT output of an address is the
/// exact real sum of the base margin and the reached leaves, rounded once
/// to float32 (round to nearest, ties to even). It is computed in integer
/// fixed point: every leaf and the base are integers times 2^scale, where
/// scale is the lowest set bit over all leaves and the base, so the
/// integer sum is exact and independent of order and grouping. (Only a
/// forest whose leaves span more than 125 binary orders of magnitude could
/// not be held this way; there the scale is raised to keep 126 bits and
/// each leaf is first rounded to a multiple of 2^scale, ties to even. No
/// trained forest comes near that.)
///
/// This is not XGBoost's float32 running sum nor TMVA's double running
/// sum; it differs from either only where their own rounding errors cross
/// a float32 rounding boundary, so words agree except (rarely) by one step
/// at a boundary. `tml_forest_predict` keeps each tool's own rule.
///
/// The trees are read in the form the forest evaluates them
/// (`Forest.evaluationTree`, QuickScorer's "mask" form): each internal node
/// is (feature, threshold, keep mask); a row's exit leaf is the lowest set
/// bit of the AND of `keep` over the nodes the row does not go left at.
/// Trees with more than 32 leaves are kept as explicit nodes and walked.
/// A NaN input (a user scheme's arithmetic can make one) follows the
/// node's default direction, as `tml_forest_predict` does.
///
/// Built once per forest, on the first LUT call (`Forest.lutForm()`), and
/// immutable afterwards.
package final class LUTForest: @unchecked Sendable {
    package let featureCount: Int
    package let treeCount: Int
    /// The forest's description, for messages.
    package let origin: String
    /// Per tree: first node and node count in the node arrays; first leaf.
    var treeNodeStart: [Int] = []
    var treeNodeCount: [Int] = []
    var treeLeafStart: [Int] = []
    /// Mask trees: node feature, threshold, keep.
    var nodeFeature: [Int] = []
    var nodeThreshold: [Float] = []
    var nodeKeep: [UInt32] = []
    /// Per node (mask and walk): a NaN input goes left.
    var nodeNaNLeft: [Bool] = []
    var walkNaNLeft: [Bool] = []
    /// Walk trees (> 32 leaves): explicit nodes; `walkRightStore` = right child
    /// (left = right - 1), a leaf has walkLeaf >= 0.
    var isWalk: [Bool] = []
    var walkFeature: [Int] = []
    var walkThreshold: [Float] = []
    var walkRightStore: [Int] = []
    var walkLeafIndex: [Int] = []
    /// Leaf values in fixed point (units of 2^scale).
    var leafFixed: [Int128] = []
    let baseFixed: Int128
    let scale: Int
    /// True when every partial sum fits in Int64 (|sum| < 2^62).
    let fitsInt64: Bool
    let allMask: Bool

    package init(_ forest: Forest) throws {
        featureCount = forest.featureCount
        treeCount = forest.treeCount
        origin = forest.origin
        let base: Double = forest.summation == .float32 ? Double(forest.baseMargin32) : forest.baseMargin64

        // --- the trees, as TrigMLForest evaluates them (`EvaluationTree`).
        var leaves: [Double] = []
        var allMask = true
        for t in 0..<treeCount {
            treeLeafStart.append(leaves.count)
            switch forest.evaluationTree(t) {
            case let .mask(feature, threshold, keep, defaultLeft, treeLeaves):
                isWalk.append(false)
                treeNodeStart.append(nodeFeature.count)
                treeNodeCount.append(feature.count)
                nodeFeature.append(contentsOf: feature)
                nodeThreshold.append(contentsOf: threshold)
                nodeKeep.append(contentsOf: keep)
                nodeNaNLeft.append(contentsOf: defaultLeft)
                leaves.append(contentsOf: treeLeaves)
            case let .walk(feature, threshold, right, defaultLeft, treeLeaves):
                // Nodes keep their local order, offset into the walk arrays
                // (children adjacent: left = right - 1; a leaf is its own
                // right child); leaves are numbered in node order.
                allMask = false
                isWalk.append(true)
                let offset = walkFeature.count
                treeNodeStart.append(offset)
                treeNodeCount.append(0)
                walkFeature.append(contentsOf: feature)
                walkThreshold.append(contentsOf: threshold)
                walkNaNLeft.append(contentsOf: defaultLeft)
                var leafNumber = 0
                for (i, r) in right.enumerated() {
                    walkRightStore.append(r + offset)
                    if r == i {
                        walkLeafIndex.append(leafNumber)
                        leaves.append(treeLeaves[i])
                        leafNumber += 1
                    } else {
                        walkLeafIndex.append(-1)
                    }
                }
            }
        }
        self.allMask = allMask

        // --- fixed point (see the summation rule above).
        for (i, v) in leaves.enumerated() where !v.isFinite {
            throw TMLError.format("forest leaf \(i) is not finite (\(v)); a LUT needs finite leaves")
        }
        guard base.isFinite else { throw TMLError.format("forest base margin is not finite") }
        var lowest = Int.max
        var bound = Swift.abs(base)
        for v in leaves + [base] where v != 0 {
            let bits = v.significandBitPattern | (v.isNormal ? (UInt64(1) << 52) : 0)
            let e = (v.isNormal ? Int(v.exponent) - 52 : -1074) + bits.trailingZeroBitCount
            lowest = Swift.min(lowest, e)
        }
        // Upper bound on |any partial sum|: |base| + sum over trees of max |leaf|.
        for t in 0..<treeCount {
            let end = t + 1 < treeCount ? treeLeafStart[t + 1] : leaves.count
            var m = 0.0
            for k in treeLeafStart[t]..<end { m = Swift.max(m, Swift.abs(leaves[k])) }
            bound += m
        }
        if lowest == Int.max { lowest = 0 }
        // Bits above 2^lowest needed: bound < 2^(topExp+1), some margin for
        // the rounding of `bound` itself.
        // (A bound that overflows double: leaves < 2^1024 and < 2^31 trees.)
        let topExp = !bound.isFinite ? 1024 + 34 : (bound > 0 ? Int(bound.exponent) + 2 : 0)
        var scale = lowest
        if topExp - scale > 125 { scale = topExp - 125 }
        self.scale = scale
        self.fitsInt64 = topExp - scale <= 61
        func fixed(_ v: Double) -> Int128 {
            if v == 0 { return 0 }
            let bits = v.significandBitPattern | (v.isNormal ? (UInt64(1) << 52) : 0)
            let e = Int(v.isNormal ? v.exponent : Double.leastNormalMagnitude.exponent) - 52
            let shift = e - scale
            var m = Int128(bits)
            if shift >= 0 {
                m <<= Int128(shift)
            } else {
                let s = -shift
                if s > 120 { m = 0 } else {
                    let q = m >> Int128(s)
                    let rem = m - (q << Int128(s))
                    let half = Int128(1) << Int128(s - 1)
                    m = (rem > half || (rem == half && q & 1 == 1)) ? q + 1 : q
                }
            }
            return v < 0 ? -m : m
        }
        leafFixed = leaves.map(fixed)
        baseFixed = fixed(base)
    }

    /// Index (relative to the tree's first leaf) of the leaf a row reaches.
    @inline(__always)
    func leaf(_ t: Int, _ x: UnsafePointer<Float>) -> Int {
        if !isWalk[t] {
            var set = UInt32.max
            let s = treeNodeStart[t]
            for k in s..<(s + treeNodeCount[t]) where !Self.goesLeft(x[nodeFeature[k]], nodeThreshold[k], nodeNaNLeft[k]) {
                set &= nodeKeep[k]
            }
            return set.trailingZeroBitCount
        }
        var i = treeNodeStart[t]
        while walkLeafIndex[i] < 0 {
            i = Self.goesLeft(x[walkFeature[i]], walkThreshold[i], walkNaNLeft[i]) ? walkRightStore[i] - 1 : walkRightStore[i]
        }
        return walkLeafIndex[i]
    }

    /// The exact fixed-point sum for one row (the one-address path).
    func sum(_ x: UnsafePointer<Float>) -> Int128 {
        if !allMask {
            var s = baseFixed
            for t in 0..<treeCount {
                s += leafFixed[treeLeafStart[t] + leaf(t, x)]
            }
            return s
        }
        // Mask trees only: the same rule over raw pointers.
        return nodeFeature.withUnsafeBufferPointer { feat in
            nodeThreshold.withUnsafeBufferPointer { thr in
            nodeNaNLeft.withUnsafeBufferPointer { nanLeft in
                nodeKeep.withUnsafeBufferPointer { keep in
                    leafFixed.withUnsafeBufferPointer { leaves in
                        treeNodeStart.withUnsafeBufferPointer { starts in
                            treeNodeCount.withUnsafeBufferPointer { counts in
                                treeLeafStart.withUnsafeBufferPointer { leafStarts in
                                    var s = baseFixed
                                    for t in 0..<treeCount {
                                        var set = UInt32.max
                                        let k0 = starts[t]
                                        for k in k0..<(k0 &+ counts[t]) {
                                            set &= keep[k] | Self.leftMask(x[feat[k]], thr[k], nanLeft[k])
                                        }
                                        s &+= leaves[leafStarts[t] &+ set.trailingZeroBitCount]
                                    }
                                    return s
                                }
                            }
                        }
                    }
                }
            }
            }
        }
    }

    /// The node test: `x < threshold`, and a NaN goes the node's default way.
    @inline(__always)
    static func goesLeft(_ x: Float, _ threshold: Float, _ nanLeft: Bool) -> Bool {
        x < threshold || (nanLeft && x.isNaN)
    }

    /// `goesLeft` as a mask, all ones when the row goes left, computed
    /// without a branch: in the one-address path the outcome of each node
    /// test is data-dependent, and as a branch it was mispredicted about
    /// half the time (perf, oom_sweep's fallback LUT children). Same test,
    /// same leaf, so the same words.
    @inline(__always)
    static func leftMask(_ x: Float, _ threshold: Float, _ nanLeft: Bool) -> UInt32 {
        let below = UInt32(unsafeBitCast(x < threshold, to: UInt8.self))
        let nanDefault = UInt32(unsafeBitCast(x.isNaN, to: UInt8.self) & unsafeBitCast(nanLeft, to: UInt8.self))
        return 0 &- (below | nanDefault)
    }

    /// Bytes that building the LUT form of `forest` holds at once: per node
    /// the feature, threshold, mask and NaN flag, the double leaf and its
    /// copy, the fixed-point leaf (about 60), doubled for arrays that grow
    /// by doubling and the per-tree copies of `evaluationTree`; per tree
    /// its five start/count entries.
    static func buildBytes(_ forest: Forest) -> Int {
        MemoryPreflight.bytes(forest.nodeCount, 128, plus: MemoryPreflight.bytes(forest.treeCount, 64))
    }

    /// The sum rounded once to float32.
    @inline(__always)
    func output(_ s: Int128) -> Float { roundToFloat(s, scale: scale) }
}

extension Forest {
    /// This forest's LUT form, built by the first caller on any thread and
    /// kept with the forest. A forest the LUT rule cannot take (a non-finite
    /// leaf) still loads and predicts; every LUT call on it reports the same
    /// stored error.
    /// Its node arrays are sized by the forest, so the build is checked
    /// first (ARCHITECTURE.md "Memory"); that check failing is not stored:
    /// the next call tries again, when memory may be free.
    package func lutForm() throws -> LUTForest {
        let made = try derivedForm.valueOrRetry { () throws -> Any in
            try MemoryPreflight.require(LUTForest.buildBytes(self),
                                        for: "the LUT form of the forest (\(treeCount) trees, \(nodeCount) nodes)")
            return Result<LUTForest, Error> { try LUTForest(self) }
        }
        guard let result = made as? Result<LUTForest, Error> else {
            throw TMLError.internalError("the forest's derived form is not a LUT form")
        }
        return try result.get()
    }
}

/// s * 2^scale rounded once to float32 (nearest, ties to even), including
/// subnormal results and overflow to infinity.
@inline(__always)
func roundToFloat(_ s: Int128, scale: Int) -> Float {
    if s == 0 { return 0 }
    let negative = s < 0
    let m = s.magnitude
    let bitLength = 128 - m.leadingZeroBitCount
    // Keep 24 significant bits, but never go below 2^-149 (subnormals).
    var shift = Swift.max(bitLength - 24, -149 - scale)
    if shift < 0 { shift = 0 }
    var q = m
    if shift > 0 {
        if shift >= 128 {
            q = 0
        } else {
            q = m >> UInt128(shift)
            let rem = m - (q << UInt128(shift))
            let half = UInt128(1) << UInt128(shift - 1)
            if rem > half || (rem == half && q & 1 == 1) { q += 1 }
        }
    }
    // q <= 2^24: exact in Float; the power-of-two scaling is exact unless it
    // overflows (then +-inf, as rounding the exact value would give).
    let e = scale + shift
    var f = Float(UInt32(truncatingIfNeeded: q))
    if e > 300 { f = .infinity } else if e < -400 { f = 0 } else {
        f = Float(sign: .plus, exponent: e, significand: f)
    }
    return negative ? -f : f
}

/// Same for an Int64 sum when scale >= -126 (no subnormal results): the
/// conversion Float(Int64) is itself correctly rounded.
@inline(__always)
func roundToFloat64(_ s: Int64, scale: Int) -> Float {
    Float(sign: .plus, exponent: scale, significand: Float(s))
}
