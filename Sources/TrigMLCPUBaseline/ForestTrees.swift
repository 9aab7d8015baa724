import TrigMLCPU

// Every tree of a forest over one packed block of rows
// (Sources/TrigMLForest/ForestEvaluation.swift packs it; ForestLayout.swift
// describes the records). Each row's accumulator sees tree 0, 1, 2, ... in
// turn, so sums are bit-identical to a row-at-a-time loop on every path.

func forestSum32(_ forest: ForestRecords, _ maskLeaves: UnsafePointer<Float>, _ walkLeaves: UnsafePointer<Float>,
                 _ acc: UnsafeMutablePointer<Float>, _ rows: Int, _ block: UnsafePointer<Float>,
                 _ sets: UnsafeMutablePointer<UInt32>) {
    addTrees(forest, maskLeaves, walkLeaves, acc, rows, block, sets)
}

func forestSum64(_ forest: ForestRecords, _ maskLeaves: UnsafePointer<Double>, _ walkLeaves: UnsafePointer<Double>,
                 _ acc: UnsafeMutablePointer<Double>, _ rows: Int, _ block: UnsafePointer<Float>,
                 _ sets: UnsafeMutablePointer<UInt32>) {
    addTrees(forest, maskLeaves, walkLeaves, acc, rows, block, sets)
}

/// Adds every tree's leaf, in tree order, to the accumulators of the
/// block's `m` rows.
@inline(__always)
func addTrees<A: BinaryFloatingPoint>(_ forest: ForestRecords, _ maskLeaves: UnsafePointer<A>,
                                      _ walkLeaves: UnsafePointer<A>, _ acc: UnsafeMutablePointer<A>, _ m: Int,
                                      _ xb: UnsafePointer<Float>, _ sets: UnsafeMutablePointer<UInt32>) {
    for plan in forest.plans {
        switch plan.kind {
        case .mask:
            guard plan.count > 0, let nodes = forest.maskNodes else {
                // A tree that is a single leaf.
                let value = maskLeaves[plan.leafStart]
                for r in 0..<m { acc[r] += value }
                continue
            }
            addMaskTree(nodes + plan.start, plan.count, maskLeaves + plan.leafStart, acc, m, xb, sets)
        case .walk:
            guard let nodes = forest.walkNodes else { continue }
            addWalkTree(nodes, plan.start, plan.count, walkLeaves, acc, m, xb)
        }
    }
}

/// One mask-layout tree over the block, 64 rows per pass as eight 8-lane
/// vectors (one AVX2 register each; two SSE registers on the baseline
/// path); a 16-lane form compiled to lane shuffles and was slower. Per node
/// and vector: one compare, one OR, one AND: set &= keep | (x < threshold ?
/// all ones : 0). The leaf sets then go through `sets` (scratch, 64 words)
/// so the leaf lookups are plain scalar loads rather than lane extractions.
/// Rows past `m` hold zeros (the packing); they are computed but never added.
@inline(__always)
func addMaskTree<A: BinaryFloatingPoint>(_ nodes: UnsafePointer<MaskNode>, _ count: Int, _ leaves: UnsafePointer<A>,
                                         _ acc: UnsafeMutablePointer<A>, _ m: Int, _ xb: UnsafePointer<Float>,
                                         _ sets: UnsafeMutablePointer<UInt32>) {
    var r = 0
    while r < m {
        maskLeafSets(nodes, count, xb, r, sets)
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
            i0 = n0.next(p0[Int(n0.column)])
            i1 = n1.next(p1[Int(n1.column)])
            i2 = n2.next(p2[Int(n2.column)])
            i3 = n3.next(p3[Int(n3.column)])
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
            i = n.next(p[Int(n.column)])
        }
        acc[r] += leaves[i]
        r &+= 1
    }
}
