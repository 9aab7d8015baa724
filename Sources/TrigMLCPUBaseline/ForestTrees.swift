import TrigMLCPU

// Every tree of a forest over one packed block of rows
// (Sources/TrigMLForest/ForestEvaluation.swift packs it; ForestLayout.swift
// describes the records). Each row's accumulator sees tree 0, 1, 2, ... in
// turn, so sums are bit-identical to a row-at-a-time loop on every path.

/// The forest sum of KernelTable: every tree's leaf added in tree order
/// (`addTrees`), with the 16-lane mask kernel (`maskLeafSets16`) where
/// `wide` (the AVX-512 path; PathKernels.swift picks it) or the 8-lane one.
/// The leaf sets, and so the sums, are the same either way.
func forestSum<A: BinaryFloatingPoint>(wide: Bool) -> KernelTable.ForestSum<A> {
    if wide { return { addTrees($0, $1, $2, $3, $4, $5, $6, wide: true) } }
    return { addTrees($0, $1, $2, $3, $4, $5, $6, wide: false) }
}

/// Adds every tree's leaf, in tree order, to the accumulators of the
/// block's `m` rows. `wide` picks the mask kernel (the same leaf sets).
@inline(__always)
func addTrees<A: BinaryFloatingPoint>(_ forest: ForestRecords, _ maskLeaves: UnsafePointer<A>,
                                      _ walkLeaves: UnsafePointer<A>, _ acc: UnsafeMutablePointer<A>, _ m: Int,
                                      _ xb: UnsafePointer<Float>, _ sets: UnsafeMutablePointer<UInt32>, wide: Bool) {
    for plan in forest.plans {
        switch plan.kind {
        case .mask:
            guard plan.count > 0, let nodes = forest.maskNodes else {
                // A tree that is a single leaf.
                let value = maskLeaves[plan.leafStart]
                for r in 0..<m { acc[r] += value }
                continue
            }
            addMaskTree(nodes + plan.start, plan.count, maskLeaves + plan.leafStart, acc, m, xb, sets, wide: wide)
        case .walk:
            guard let nodes = forest.walkNodes else { continue }
            addWalkTree(nodes, plan.start, plan.count, walkLeaves, acc, m, xb)
        }
    }
}

/// One mask-layout tree over the block, 64 rows per pass as eight 8-lane
/// vectors (one AVX2 register each; two SSE registers on the baseline
/// path; on AVX2 a 16-lane form compiled to lane shuffles and was slower,
/// on AVX-512 `wide` takes the 16-lane form, one register). Per node
/// and vector: one compare, one OR, one AND: set &= keep | (x < threshold ?
/// all ones : 0). The leaf sets then go through `sets` (scratch, 64 words)
/// so the leaf lookups are plain scalar loads rather than lane extractions.
/// Rows past `m` hold zeros (the packing); they are computed but never added.
@inline(__always)
func addMaskTree<A: BinaryFloatingPoint>(_ nodes: UnsafePointer<MaskNode>, _ count: Int, _ leaves: UnsafePointer<A>,
                                         _ acc: UnsafeMutablePointer<A>, _ m: Int, _ xb: UnsafePointer<Float>,
                                         _ sets: UnsafeMutablePointer<UInt32>, wide: Bool) {
    var r = 0
    if wide, A.self == Float.self {
        // The float32 sum on the 16-lane path: leaves gathered 16 rows at a
        // time, added to 16 accumulators at once (one add per row, as below).
        let leaves32 = UnsafeRawPointer(leaves).assumingMemoryBound(to: Float.self)
        let acc32 = UnsafeMutableRawPointer(acc)
        while r < m {
            let (s0, s1, s2, s3) = leafSets16(nodes, count, xb, r)
            let lanes = min(64, m &- r)
            addLeaves16(s0, leaves32, acc32, r, lanes)
            if lanes > 16 { addLeaves16(s1, leaves32, acc32, r &+ 16, lanes &- 16) }
            if lanes > 32 { addLeaves16(s2, leaves32, acc32, r &+ 32, lanes &- 32) }
            if lanes > 48 { addLeaves16(s3, leaves32, acc32, r &+ 48, lanes &- 48) }
            r &+= 64
        }
        return
    }
    while r < m {
        if wide {
            maskLeafSets16(nodes, count, xb, r, sets)
        } else {
            maskLeafSets(nodes, count, xb, r, sets)
        }
        let lanes = min(64, m &- r)
        let accRow = acc + r
        for lane in 0..<lanes {
            accRow[lane] += leaves[sets[lane].trailingZeroBitCount]
        }
        r &+= 64
    }
}

/// The leaf sets of block rows r..<r+64 for one mask-layout tree, into
/// `sets` (64 words); the exit leaf of row r + lane is the lowest set bit
/// of `sets[lane]`. Also the kernel of `Forest.exitLeaves`.
@inline(__always)
func maskLeafSets(_ nodes: UnsafePointer<MaskNode>, _ count: Int, _ xb: UnsafePointer<Float>,
                  _ r: Int, _ sets: UnsafeMutablePointer<UInt32>) {
    let base = UnsafeRawPointer(xb)
    let setsRaw = UnsafeMutableRawPointer(sets)
    var s0 = SIMD8<UInt32>(repeating: .max), s1 = s0, s2 = s0, s3 = s0
    var s4 = s0, s5 = s0, s6 = s0, s7 = s0
    for k in 0..<count {
        let n = nodes[k]
        let offset = (Int(n.column) &+ r) &* 4
        let threshold = SIMD8<Float>(repeating: n.threshold)
        let keep = SIMD8<UInt32>(repeating: n.keep)
        s0 &= keep | lessMask(base.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self), threshold)
        s1 &= keep | lessMask(base.loadUnaligned(fromByteOffset: offset &+ 32, as: SIMD8<Float>.self), threshold)
        s2 &= keep | lessMask(base.loadUnaligned(fromByteOffset: offset &+ 64, as: SIMD8<Float>.self), threshold)
        s3 &= keep | lessMask(base.loadUnaligned(fromByteOffset: offset &+ 96, as: SIMD8<Float>.self), threshold)
        s4 &= keep | lessMask(base.loadUnaligned(fromByteOffset: offset &+ 128, as: SIMD8<Float>.self), threshold)
        s5 &= keep | lessMask(base.loadUnaligned(fromByteOffset: offset &+ 160, as: SIMD8<Float>.self), threshold)
        s6 &= keep | lessMask(base.loadUnaligned(fromByteOffset: offset &+ 192, as: SIMD8<Float>.self), threshold)
        s7 &= keep | lessMask(base.loadUnaligned(fromByteOffset: offset &+ 224, as: SIMD8<Float>.self), threshold)
    }
    setsRaw.storeBytes(of: s0, toByteOffset: 0, as: SIMD8<UInt32>.self)
    setsRaw.storeBytes(of: s1, toByteOffset: 32, as: SIMD8<UInt32>.self)
    setsRaw.storeBytes(of: s2, toByteOffset: 64, as: SIMD8<UInt32>.self)
    setsRaw.storeBytes(of: s3, toByteOffset: 96, as: SIMD8<UInt32>.self)
    setsRaw.storeBytes(of: s4, toByteOffset: 128, as: SIMD8<UInt32>.self)
    setsRaw.storeBytes(of: s5, toByteOffset: 160, as: SIMD8<UInt32>.self)
    setsRaw.storeBytes(of: s6, toByteOffset: 192, as: SIMD8<UInt32>.self)
    setsRaw.storeBytes(of: s7, toByteOffset: 224, as: SIMD8<UInt32>.self)
}

/// `maskLeafSets` as four 16-lane vectors: on AVX-512 each is one register,
/// and a node costs one compare into a mask register and one masked AND per
/// 16 rows (half the instructions of the 8-lane form, whose compares all
/// queue on the one port that writes mask registers). Same sets, same bits.
@inline(__always)
func maskLeafSets16(_ nodes: UnsafePointer<MaskNode>, _ count: Int, _ xb: UnsafePointer<Float>,
                    _ r: Int, _ sets: UnsafeMutablePointer<UInt32>) {
    let (s0, s1, s2, s3) = leafSets16(nodes, count, xb, r)
    let setsRaw = UnsafeMutableRawPointer(sets)
    setsRaw.storeBytes(of: s0, toByteOffset: 0, as: SIMD16<UInt32>.self)
    setsRaw.storeBytes(of: s1, toByteOffset: 64, as: SIMD16<UInt32>.self)
    setsRaw.storeBytes(of: s2, toByteOffset: 128, as: SIMD16<UInt32>.self)
    setsRaw.storeBytes(of: s3, toByteOffset: 192, as: SIMD16<UInt32>.self)
}

/// The leaf sets of block rows r..<r+64, as four 16-lane vectors.
@inline(__always)
func leafSets16(_ nodes: UnsafePointer<MaskNode>, _ count: Int, _ xb: UnsafePointer<Float>, _ r: Int)
    -> (SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>) {
    let base = UnsafeRawPointer(xb)
    var s0 = SIMD16<UInt32>(repeating: .max), s1 = s0, s2 = s0, s3 = s0
    for k in 0..<count {
        let n = nodes[k]
        let offset = (Int(n.column) &+ r) &* 4
        let threshold = SIMD16<Float>(repeating: n.threshold)
        let keep = SIMD16<UInt32>(repeating: n.keep)
        s0 &= keep | lessMask(base.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self), threshold)
        s1 &= keep | lessMask(base.loadUnaligned(fromByteOffset: offset &+ 64, as: SIMD16<Float>.self), threshold)
        s2 &= keep | lessMask(base.loadUnaligned(fromByteOffset: offset &+ 128, as: SIMD16<Float>.self), threshold)
        s3 &= keep | lessMask(base.loadUnaligned(fromByteOffset: offset &+ 192, as: SIMD16<Float>.self), threshold)
    }
    return (s0, s1, s2, s3)
}

/// acc[r + lane] += leaves[exit leaf of sets[lane]] for lane < `lanes`
/// (at most 16): the lowest set bit is 31 - lzcnt(s & -s), and the 16
/// leaves are one gather on AVX-512. Lanes past `lanes` are not written.
@inline(__always)
func addLeaves16(_ sets: SIMD16<UInt32>, _ leaves: UnsafePointer<Float>, _ acc: UnsafeMutableRawPointer,
                 _ r: Int, _ lanes: Int) {
    let lowest = sets & (0 &- sets)
    let exit = SIMD16<Int32>(truncatingIfNeeded: SIMD16<UInt32>(repeating: 31) &- lowest.leadingZeroBitCount)
    var values = SIMD16<Float>()
    for lane in 0..<16 { values[lane] = leaves[Int(exit[lane])] }
    let offset = r &* 4
    if lanes >= 16 {
        let sum = acc.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self) + values
        acc.storeBytes(of: sum, toByteOffset: offset, as: SIMD16<Float>.self)
    } else {
        let row = (acc + offset).assumingMemoryBound(to: Float.self)
        for lane in 0..<lanes { row[lane] += values[lane] }
    }
}

/// `lessMask` for 16 lanes.
@inline(__always)
func lessMask(_ x: SIMD16<Float>, _ threshold: SIMD16<Float>) -> SIMD16<UInt32> {
    unsafeBitCast(x .< threshold, to: SIMD16<UInt32>.self)
}

/// The node a row with `value` (of the node's column) steps to: the rule of
/// `FlatNode.next`, restated here so that it is inlined into the walk
/// loops (the cross-module call was not).
@inline(__always)
func step(_ n: FlatNode, _ value: Float) -> Int {
    Int(n.right &- (value - n.threshold).bitPattern >> 31)
}

/// All ones in the lanes where `x < threshold`, zeros elsewhere: the
/// comparison's own lane mask (a SIMDMask is stored as that integer
/// vector), so this is a single compare instruction.
@inline(__always)
func lessMask(_ x: SIMD8<Float>, _ threshold: SIMD8<Float>) -> SIMD8<UInt32> {
    unsafeBitCast(x .< threshold, to: SIMD8<UInt32>.self)
}

/// One walk-layout tree over the block: four rows walk it together (four
/// independent chains of loads the CPU overlaps), then the rest one by one.
@inline(__always)
func addWalkTree<A: BinaryFloatingPoint>(_ nodes: UnsafePointer<FlatNode>, _ root: Int, _ depth: Int,
                                         _ leaves: UnsafePointer<A>, _ acc: UnsafeMutablePointer<A>, _ m: Int,
                                         _ xb: UnsafePointer<Float>) {
    var r = 0
    while r &+ 4 <= m {
        let p0 = xb + r, p1 = p0 + 1, p2 = p0 + 2, p3 = p0 + 3
        var i0 = root, i1 = root, i2 = root, i3 = root
        for _ in 0..<depth {
            let n0 = nodes[i0], n1 = nodes[i1], n2 = nodes[i2], n3 = nodes[i3]
            i0 = step(n0, p0[Int(n0.column)])
            i1 = step(n1, p1[Int(n1.column)])
            i2 = step(n2, p2[Int(n2.column)])
            i3 = step(n3, p3[Int(n3.column)])
        }
        acc[r] += leaves[i0]
        acc[r &+ 1] += leaves[i1]
        acc[r &+ 2] += leaves[i2]
        acc[r &+ 3] += leaves[i3]
        r &+= 4
    }
    while r < m {
        let p = xb + r
        var i = root
        for _ in 0..<depth {
            let n = nodes[i]
            i = step(n, p[Int(n.column)])
        }
        acc[r] += leaves[i]
        r &+= 1
    }
}
