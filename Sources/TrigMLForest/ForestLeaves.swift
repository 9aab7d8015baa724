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
                            out: UnsafeMutablePointer<UInt32>) {
        let walkLeafNumber = walkLeafNumbers()
        let kernels = KernelDispatch.active
        forEachPackedBlock(rows: rows, x: x, rowStride: rowStride, featureStride: featureStride) { start, m, xb, sets in
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
    /// then `body(firstRow, rowsInBlock, packedBlock, leafSets)`.
    func forEachPackedBlock(rows: Int, x: UnsafePointer<Float>, rowStride: Int, featureStride: Int,
                            _ body: (Int, Int, UnsafeMutablePointer<Float>, UnsafeMutablePointer<UInt32>) -> Void) {
        guard rows > 0 else { return }
        let block = layout.blockRows
        let scratch = BlockScratch(self)
        defer { scratch.deallocate() }
        var start = 0
        while start < rows {
            let m = min(block, rows - start)
            Self.pack(rows: m, blockRows: block, from: x, firstRow: start, rowStride: rowStride,
                      featureStride: featureStride, featureCount: featureCount, into: scratch.block)
            body(start, m, scratch.block, scratch.sets)
            start += m
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

/// One evaluation block ((2F + 1) x blockRows floats, see `ForestLayout`)
/// and the 64 leaf sets of the mask kernel, for one call.
struct BlockScratch {
    let block: UnsafeMutablePointer<Float>
    let sets: UnsafeMutablePointer<UInt32>

    init(_ forest: Forest) {
        let count = (2 * forest.featureCount + 1) * forest.layout.blockRows
        block = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(to: Float.self, capacity: count)
        sets = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
    }

    func deallocate() {
        UnsafeMutableRawPointer(block).deallocate()
        sets.deallocate()
    }
}
