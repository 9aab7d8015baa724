import TrigMLCore
import TrigMLCPU
import TrigMLKernels

extension Forest {
    /// The exit leaf of every row in every tree, found by the evaluator of
    /// `predict` (the same block packing, NaN handling and mask kernel) but
    /// not summed: `out[t * rows + row]` (tree-major, so each tree's leaves
    /// are stored and read contiguously) is the number of the leaf row
    /// `row` reaches in tree `t`, in the numbering of `evaluationTree(t)`
    /// (mask trees: leaves left to right; walk trees: leaf nodes in node
    /// order). A caller with another summation rule adds the leaves itself:
    /// `trigml lut verify` sums them exactly, as LUT words are defined, so
    /// its check does not share the LUT generator's tree walk or tables.
    package func exitLeaves(rows: Int, x: UnsafePointer<Float>, rowStride: Int, featureStride: Int,
                            out: UnsafeMutablePointer<UInt32>) throws {
        let walkLeafNumber = walkLeafNumbers()
        let kernels = KernelDispatch.active
        try forEachPackedBlock(rows: rows, x: x, rowStride: rowStride, featureStride: featureStride) { start, m, scratch in
            let xb = scratch.block, sets = scratch.sets
            let blockOut = out + start
            layout.plans.withUnsafeBufferPointer { plans in
            layout.maskNodes.withUnsafeBufferPointer { maskNodes in
            layout.walkNodes.withUnsafeBufferPointer { walkNodes in
                for (t, plan) in plans.enumerated() {
                    switch plan.kind {
                    case .mask:
                        guard plan.count > 0, let nodes = maskNodes.baseAddress else {
                            for r in 0..<m { blockOut[t * rows + r] = 0 }  // a single-leaf tree
                            continue
                        }
                        var r = 0
                        while r < m {
                            kernels.maskLeafSets(nodes + plan.start, plan.count, xb, r, sets)
                            let treeOut = blockOut + t * rows + r
                            for lane in 0..<min(64, m - r) {
                                treeOut[lane] = UInt32(sets[lane].trailingZeroBitCount)
                            }
                            r += 64
                        }
                    case .walk:
                        guard let nodes = walkNodes.baseAddress else { continue }
                        for r in 0..<m {
                            var i = plan.start
                            for _ in 0..<plan.count {
                                let n = nodes[i]
                                i = n.next(xb[Int(n.column) + r])
                            }
                            blockOut[t * rows + r] = walkLeafNumber[i]
                        }
                    }
                }
            }}}
        }
    }

    /// The block loop shared by `predict` and `exitLeaves`: rows in blocks of
    /// `layout.blockRows`, each packed into the evaluation layout (`pack`),
    /// then `body(firstRow, rowsInBlock, scratch)`. The scratch is this
    /// thread's (`ThreadScratch`), so a call allocates nothing once its
    /// thread has scored a forest of this size; throws `.outOfMemory` before
    /// any row when it cannot be had.
    func forEachPackedBlock(rows: Int, x: UnsafePointer<Float>, rowStride: Int, featureStride: Int,
                            _ body: (Int, Int, BlockScratch) -> Void) throws {
        guard rows > 0 else { return }
        let block = layout.blockRows
        try ThreadScratch.with(bytes: BlockScratch.bytes(self), for: "a forest's row block") { raw in
            let scratch = BlockScratch(self, raw)
            var start = 0
            while start < rows {
                let m = min(block, rows - start)
                Self.pack(rows: m, blockRows: block, from: x, firstRow: start, rowStride: rowStride,
                          featureStride: featureStride, featureCount: featureCount, into: scratch.block)
                body(start, m, scratch)
                start += m
            }
        }
    }

    /// Per walk-layout node: its leaf number within its tree (leaves counted
    /// in node order, as `evaluationTree` lists them); 0 for internal nodes.
    func walkLeafNumbers() -> [UInt32] {
        var numbers = [UInt32](repeating: 0, count: layout.walkNodes.count)
        for plan in layout.plans where plan.kind == .walk {
            var next: UInt32 = 0
            for i in plan.start..<(plan.start + plan.walkNodeCount) where Int(layout.walkNodes[i].right) == i {
                numbers[i] = next
                next += 1
            }
        }
        return numbers
    }
}

/// The working memory of one block, carved from one buffer: the block
/// ((2F + 1) x blockRows floats, see `ForestLayout`), the 64 leaf sets of
/// the mask kernel and the block's accumulators (blockRows doubles, read
/// as floats for a float32 sum).
struct BlockScratch {
    let block: UnsafeMutablePointer<Float>
    let sets: UnsafeMutablePointer<UInt32>
    let accumulators: UnsafeMutableRawPointer

    static func blockBytes(_ forest: Forest) -> Int {
        (2 * forest.featureCount + 1) * forest.layout.blockRows * 4
    }

    /// The whole buffer; every part starts on a 64-byte boundary.
    static func bytes(_ forest: Forest) -> Int {
        ((blockBytes(forest) + 63) & ~63) + 64 * 4 + forest.layout.blockRows * 8
    }

    init(_ forest: Forest, _ raw: UnsafeMutableRawPointer) {
        let count = (2 * forest.featureCount + 1) * forest.layout.blockRows
        block = raw.bindMemory(to: Float.self, capacity: count)
        let setsRaw = raw + ((Self.blockBytes(forest) + 63) & ~63)
        sets = setsRaw.bindMemory(to: UInt32.self, capacity: 64)
        accumulators = setsRaw + 64 * 4
    }
}
