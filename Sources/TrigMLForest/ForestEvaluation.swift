import TrigMLCore

// Batched forest evaluation.
//
// Rows are processed in blocks of `layout.blockRows`: a block's features are
// first copied, column by column, into a small buffer (whatever the
// caller's strides; see `ForestLayout` for its three parts), then every
// tree is evaluated for every row of the block before the next tree starts,
// so the tree's records and the block stay in L1.
//
// Mask-layout trees (at most 32 leaves) are evaluated 64 rows at a time
// in 8-lane SIMD vectors: per node one vector compare and one AND (`MaskNode`),
// then each row's exit leaf is the lowest set bit of its leaf set. Larger
// trees are walked row by row with branch-free steps (`FlatNode`, ForestLayout.swift).
//
// Summation keeps the tree order for every row (each row's accumulator sees
// tree 0, 1, 2, ... in turn), so results are bit-identical to a row-at-a-time
// loop and independent of block size and strides.

extension Forest {
    /// Raw output (base margin plus leaves) of row `i` read from
    /// `x[i * rowStride + j * featureStride]` into `out[i]`, for i < `rows`.
    ///
    /// The caller guarantees that every such element is readable and that
    /// `out` holds `rows` floats not overlapping `x` (`PredictShape` checks
    /// the arithmetic for the C ABI).
    package func predict(rows: Int, x: UnsafePointer<Float>, rowStride: Int, featureStride: Int,
                        out: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        let block = layout.blockRows
        let scratch = BlockScratch(self)
        defer { scratch.deallocate() }
        let xb = scratch.block, sets = scratch.sets
        let acc32 = UnsafeMutablePointer<Float>.allocate(capacity: block)
        defer { acc32.deallocate() }
        let acc64 = UnsafeMutablePointer<Double>.allocate(capacity: block)
        defer { acc64.deallocate() }

        var start = 0
        while start < rows {
            let m = min(block, rows - start)
            Self.pack(rows: m, blockRows: block, from: x, firstRow: start, rowStride: rowStride,
                      featureStride: featureStride, featureCount: featureCount, into: xb)
            switch summation {
            case .float32:
                for r in 0..<m { acc32[r] = baseMargin32 }
                layout.maskLeaf32.withUnsafeBufferPointer { maskLeaves in
                    layout.walkLeaf32.withUnsafeBufferPointer { walkLeaves in
                        addTrees(maskLeaves, walkLeaves, acc32, m, xb, sets)
                    }
                }
                for r in 0..<m { out[start + r] = acc32[r] }
            case .float64:
                for r in 0..<m { acc64[r] = baseMargin64 }
                layout.maskLeaf64.withUnsafeBufferPointer { maskLeaves in
                    layout.walkLeaf64.withUnsafeBufferPointer { walkLeaves in
                        addTrees(maskLeaves, walkLeaves, acc64, m, xb, sets)
                    }
                }
                for r in 0..<m { out[start + r] = Float(acc64[r]) }
            }
            start += m
        }
    }

    /// Adds every tree's leaf, in tree order, to the accumulators of the
    /// block's `m` rows.
    @inline(__always)
    func addTrees<A: BinaryFloatingPoint>(
        _ maskLeaves: UnsafeBufferPointer<A>, _ walkLeaves: UnsafeBufferPointer<A>,
        _ acc: UnsafeMutablePointer<A>, _ m: Int, _ xb: UnsafePointer<Float>,
        _ sets: UnsafeMutablePointer<UInt32>
    ) {
        let block = layout.blockRows
        layout.plans.withUnsafeBufferPointer { plans in
        layout.maskNodes.withUnsafeBufferPointer { maskNodes in
        layout.walkNodes.withUnsafeBufferPointer { walkNodes in
            for plan in plans {
                switch plan.kind {
                case .mask:
                    guard let leaves = maskLeaves.baseAddress else { continue }
                    guard plan.count > 0, let nodes = maskNodes.baseAddress else {
                        // A tree that is a single leaf.
                        let value = leaves[plan.leafStart]
                        for r in 0..<m { acc[r] += value }
                        continue
                    }
                    Self.addMaskTree(nodes + plan.start, plan.count, leaves + plan.leafStart, acc, m, xb, sets)
                case .walk:
                    guard let nodes = walkNodes.baseAddress, let leaves = walkLeaves.baseAddress else { continue }
                    Self.addWalkTree(nodes, plan.start, plan.count, leaves, acc, m, xb, block)
                }
            }
        }}}
    }

    /// One mask-layout tree over the block, 64 rows per pass as eight
    /// 8-lane vectors (one AVX2 register each; two SSE registers on the
    /// baseline build); a 16-lane form compiled to lane shuffles and was
    /// slower (bench/ has the numbers). Per node and vector: one compare, one OR, one AND:
    /// set &= keep | (x < threshold ? all ones : 0). The leaf sets then go
    /// through `sets` (scratch, 64 words) so the leaf lookups are plain
    /// scalar loads rather than lane extractions. Rows past `m` hold zeros
    /// (see `pack`); they are computed but never added.
    @inline(__always)
    static func addMaskTree<A: BinaryFloatingPoint>(
        _ nodes: UnsafePointer<MaskNode>, _ count: Int, _ leaves: UnsafePointer<A>,
        _ acc: UnsafeMutablePointer<A>, _ m: Int, _ xb: UnsafePointer<Float>,
        _ sets: UnsafeMutablePointer<UInt32>
    ) {
        var r = 0
        while r < m {
            maskLeafSets(nodes, count, xb, firstRow: r, into: sets)
            let lanes = min(64, m &- r)
            let accRow = acc + r
            for lane in 0..<lanes {
                accRow[lane] += leaves[sets[lane].trailingZeroBitCount]
            }
            r &+= 64
        }
    }

    /// The leaf sets of block rows r..<r+64 for one mask-layout tree, into
    /// `sets` (64 words); the exit leaf of row r + lane is the lowest set
    /// bit of `sets[lane]`. Shared by `addMaskTree` and `exitLeaves`.
    @inline(__always)
    static func maskLeafSets(_ nodes: UnsafePointer<MaskNode>, _ count: Int, _ xb: UnsafePointer<Float>,
                             firstRow r: Int, into sets: UnsafeMutablePointer<UInt32>) {
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
    static func lessMask(_ x: SIMD8<Float>, _ threshold: SIMD8<Float>) -> SIMD8<UInt32> {
        unsafeBitCast(x .< threshold, to: SIMD8<UInt32>.self)
    }

    /// One walk-layout tree over the block: four rows walk it together
    /// (four independent chains of loads the CPU overlaps), then the rest
    /// one by one.
    @inline(__always)
    static func addWalkTree<A: BinaryFloatingPoint>(
        _ nodes: UnsafePointer<FlatNode>, _ root: Int, _ depth: Int, _ leaves: UnsafePointer<A>,
        _ acc: UnsafeMutablePointer<A>, _ m: Int, _ xb: UnsafePointer<Float>, _ block: Int
    ) {
        var r = 0
        while r &+ 4 <= m {
            let p0 = xb + r, p1 = p0 + 1, p2 = p0 + 2, p3 = p0 + 3
            var i0 = root, i1 = root, i2 = root, i3 = root
            for _ in 0..<depth {
                let n0 = nodes[i0], n1 = nodes[i1], n2 = nodes[i2], n3 = nodes[i3]
                i0 = Int(n0.right &- lessBit(p0[Int(n0.column)], n0.threshold))
                i1 = Int(n1.right &- lessBit(p1[Int(n1.column)], n1.threshold))
                i2 = Int(n2.right &- lessBit(p2[Int(n2.column)], n2.threshold))
                i3 = Int(n3.right &- lessBit(p3[Int(n3.column)], n3.threshold))
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
                i = Int(n.right &- lessBit(p[Int(n.column)], n.threshold))
            }
            acc[r] += leaves[i]
            r &+= 1
        }
    }

    /// Copies `rows` rows into the block, column by column: the features
    /// with NaN -> +inf, the features with NaN -> -inf, then zeros; -0.0
    /// becomes +0.0 (adding +0.0 does exactly that and nothing else). Rows
    /// from `rows` up to the next multiple of 64 are zero-filled.
    @inline(__always)
    static func pack(rows: Int, blockRows block: Int, from x: UnsafePointer<Float>, firstRow: Int,
                     rowStride: Int, featureStride: Int, featureCount nF: Int,
                     into xb: UnsafeMutablePointer<Float>) {
        let padded = min(block, (rows + 63) & ~63)
        for r in 0..<rows {
            let src = x + (firstRow + r) * rowStride
            for f in 0..<nF {
                let v = src[f &* featureStride] + 0
                // NaN -> +inf / -inf by bit arithmetic: keep v's bits unless NaN.
                let bits = v.bitPattern
                let nanMask = 0 &- ((UInt32(0x7f80_0000) &- (bits & 0x7fff_ffff)) >> 31)
                xb[f &* block &+ r] = Float(bitPattern: (bits & ~nanMask) | (0x7f80_0000 & nanMask))
                xb[(nF &+ f) &* block &+ r] = Float(bitPattern: (bits & ~nanMask) | (0xff80_0000 & nanMask))
            }
        }
        for c in 0..<(2 * nF + 1) {
            let column = xb + c * block
            let from = c == 2 * nF ? 0 : rows
            for r in from..<padded { column[r] = 0 }
        }
    }

    /// 1 when `v < threshold`, for non-NaN `v` that is not -0.0 (see
    /// `FlatNode`).
    @inline(__always)
    static func lessBit(_ v: Float, _ threshold: Float) -> UInt32 {
        (v - threshold).bitPattern >> 31
    }

    /// One row, the plain definition of the forest's output, for tests and
    /// for callers holding a single row. Same result as `predict`; nil when
    /// the row does not have `featureCount` values.
    package func predictOne(_ row: [Float]) -> Float? {
        guard row.count == featureCount else { return nil }
        var out: Float = 0
        row.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return }
            predict(rows: 1, x: base, rowStride: featureCount, featureStride: 1, out: &out)
        }
        return out
    }
}

/// The checked form of `tml_forest_predict`'s counts and strides: the
/// highest element read, (rows-1)·rowStride + (features-1)·featureStride,
/// and the output size must describe real memory (2^47 bytes), so no `Int`
/// conversion or pointer arithmetic can overflow afterwards.
package struct PredictShape {
    package let rows: Int
    package let rowStride: Int
    package let featureStride: Int

    package init(rows: UInt64, rowStride: UInt64, featureStride: UInt64, featureCount: Int) throws {
        let limit = maxAddressableBytes / 4
        guard rows <= limit else {
            throw TMLError.invalid("n_rows = \(rows) is too large: its arrays would need more than 2^47 bytes")
        }
        guard rowStride <= limit, featureStride <= limit else {
            throw TMLError.invalid("row_stride = \(rowStride), feature_stride = \(featureStride): a stride past 2^45 elements cannot address real memory")
        }
        if rows > 0 {
            let (a, o1) = (rows - 1).multipliedReportingOverflow(by: rowStride)
            let (b, o2) = UInt64(featureCount - 1).multipliedReportingOverflow(by: featureStride)
            let (last, o3) = a.addingReportingOverflow(b)
            if o1 || o2 || o3 || last >= limit {
                throw TMLError.invalid("x would be read up to element (n_rows-1)*row_stride + (features-1)*feature_stride = (\(rows)-1)*\(rowStride) + \(featureCount - 1)*\(featureStride), past 2^45 elements")
            }
        }
        self.rows = Int(rows)
        self.rowStride = Int(rowStride)
        self.featureStride = Int(featureStride)
    }
}
