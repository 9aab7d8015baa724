import TrigMLCore
import TrigMLCPU
import TrigMLKernels

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
// trees are walked row by row with branch-free steps (`FlatNode`). The tree
// loops are the active kernel path's (Sources/TrigMLCPUBaseline/ForestTrees.swift).
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
                        out: UnsafeMutablePointer<Float>) throws {
        guard rows > 0 else { return }
        let kernels = KernelDispatch.active
        try forEachPackedBlock(rows: rows, x: x, rowStride: rowStride, featureStride: featureStride) { start, m, scratch in
            switch summation {
            case .float32:
                sumBlock(scratch, rows: m, base: baseMargin32, maskLeaves: layout.maskLeaf32,
                         walkLeaves: layout.walkLeaf32, kernel: kernels.forestSum32, into: out + start)
            case .float64:
                sumBlock(scratch, rows: m, base: baseMargin64, maskLeaves: layout.maskLeaf64,
                         walkLeaves: layout.walkLeaf64, kernel: kernels.forestSum64, into: out + start)
            }
        }
    }

    /// One packed block's margins: every accumulator starts at the base
    /// margin, the path's kernel adds every tree's leaf in tree order, and
    /// the sum is rounded to float once (XGBoost's recipe; float32 forests
    /// sum in float, the others in double).
    @inline(__always)
    func sumBlock<Accumulator: BinaryFloatingPoint>(_ scratch: BlockScratch, rows m: Int, base: Accumulator,
                                                    maskLeaves: [Accumulator], walkLeaves: [Accumulator],
                                                    kernel: KernelTable.ForestSum<Accumulator>,
                                                    into out: UnsafeMutablePointer<Float>) {
        let acc = scratch.accumulators.bindMemory(to: Accumulator.self, capacity: m)
        for r in 0..<m { acc[r] = base }
        withRecords { records in
            maskLeaves.withUnsafeBufferPointer { mask in
                walkLeaves.withUnsafeBufferPointer { walk in
                    guard let maskBase = mask.baseAddress else { return }
                    kernel(records, maskBase, walk.baseAddress ?? maskBase, acc, m, scratch.block, scratch.sets)
                }
            }
        }
        for r in 0..<m { out[r] = Float(acc[r]) }
    }

    /// Runs the records of this forest through `body` for one call.
    @inline(__always)
    func withRecords<R>(_ body: (ForestRecords) -> R) -> R {
        layout.plans.withUnsafeBufferPointer { plans in
            layout.maskNodes.withUnsafeBufferPointer { maskNodes in
                layout.walkNodes.withUnsafeBufferPointer { walkNodes in
                    body(ForestRecords(plans: plans, maskNodes: maskNodes.baseAddress,
                                       walkNodes: walkNodes.baseAddress, blockRows: layout.blockRows))
                }
            }
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

    /// One row, the plain definition of the forest's output, for tests and
    /// for callers holding a single row. Same result as `predict`; nil when
    /// the row does not have `featureCount` values.
    package func predictOne(_ row: [Float]) throws -> Float? {
        guard row.count == featureCount else { return nil }
        var out: Float = 0
        try row.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return }
            try predict(rows: 1, x: base, rowStride: featureCount, featureStride: 1, out: &out)
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
