import TrigMLCPU

/// How a forest is laid out for evaluation. Evaluation works on blocks of
/// `blockRows` rows held column by column ("SoA"): column c of the block
/// starts at float offset c * blockRows. Each block holds 2F + 1 columns:
///
/// - columns 0..<F: the features with NaN replaced by +infinity, read by
///   nodes whose missing values go right;
/// - columns F..<2F: the features with NaN replaced by -infinity, read by
///   nodes whose missing values go left;
/// - column 2F: zeros (read by walk-layout leaves).
///
/// Real infinities are kept in both copies, so with a plain `x < threshold`
/// a NaN takes the node's default direction and nothing else changes. Node
/// records store the column already multiplied by `blockRows`.
///
/// Trees with at most 32 leaves (every depth-5 tree) use the mask layout;
/// larger trees use the walk layout (the records: `MaskNode`, `FlatNode`,
/// `TreePlan` in Sources/TrigMLCPU/KernelRecords.swift). Either gives the leaf a row reaches;
/// the trees are summed in their original order whatever their layout.
struct ForestLayout {
    static let maskLeafLimit = 32

    let blockRows: Int
    let featureCount: Int
    let plans: [TreePlan]
    let maskNodes: [MaskNode]
    let maskLeaf32: [Float]
    let maskLeaf64: [Double]
    let walkNodes: [FlatNode]
    let walkLeaf32: [Float]
    let walkLeaf64: [Double]
    let nodeCount: Int

    /// Rows per block: 64, the mask kernel's pass (eight 8-lane vectors).
    /// The block buffer is (2F + 1) x 64 floats: 5 KiB for 20 features,
    /// 33 MiB at the 65536-feature limit.
    static let blockRows = 64

    init(trees: [TreeNodes], validated: [ValidatedTree], featureCount: Int) {
        let block = Self.blockRows
        self.blockRows = block
        self.featureCount = featureCount
        var plans: [TreePlan] = []
        var maskNodes: [MaskNode] = []
        var maskLeaf32: [Float] = [], maskLeaf64: [Double] = []
        var walkNodes: [FlatNode] = []
        var walkLeaf32: [Float] = [], walkLeaf64: [Double] = []
        var nodeCount = 0

        /// Column (times blockRows) that node `original` of `tree` reads.
        func column(_ tree: TreeNodes, _ original: Int) -> UInt32 {
            let f = tree.feature[original]
            return UInt32((tree.defaultLeft[original] ? f + featureCount : f) * block)
        }

        for (tree, v) in zip(trees, validated) {
            nodeCount += v.order.count
            let leafCount = v.leftPosition.reduce(0) { $0 + ($1 < 0 ? 1 : 0) }
            if leafCount <= Self.maskLeafLimit {
                // Number leaves left to right; each internal node gets the
                // mask that clears the leaves of its left subtree.
                var leafNumber = [Int](repeating: -1, count: v.order.count)
                var firstLeaf = [Int](repeating: 0, count: v.order.count)
                var endLeaf = [Int](repeating: 0, count: v.order.count)
                var next = 0
                // Depth-first, left before right, without recursion:
                // (position, children done?)
                var stack: [(Int, Bool)] = [(0, false)]
                while let (p, done) = stack.popLast() {
                    let l = v.leftPosition[p]
                    if l < 0 {
                        leafNumber[p] = next
                        firstLeaf[p] = next
                        endLeaf[p] = next + 1
                        next += 1
                    } else if done {
                        firstLeaf[p] = firstLeaf[l]
                        endLeaf[p] = endLeaf[l + 1]
                    } else {
                        stack.append((p, true))
                        stack.append((l + 1, false))
                        stack.append((l, false))
                    }
                }
                let start = maskNodes.count, leafStart = maskLeaf32.count
                var leaves = [Double](repeating: 0, count: leafCount)
                for (p, original) in v.order.enumerated() {
                    let l = v.leftPosition[p]
                    if l < 0 {
                        leaves[leafNumber[p]] = tree.value[original]
                    } else {
                        let lo = firstLeaf[l], hi = endLeaf[l]
                        let leftBits = (UInt64(1) << UInt64(hi)) - (UInt64(1) << UInt64(lo))
                        maskNodes.append(MaskNode(threshold: tree.threshold[original],
                                                  column: column(tree, original),
                                                  keep: UInt32(truncatingIfNeeded: ~leftBits)))
                    }
                }
                maskLeaf32.append(contentsOf: leaves.map { Float($0) })
                maskLeaf64.append(contentsOf: leaves)
                plans.append(TreePlan(kind: .mask, start: start, count: maskNodes.count - start, leafStart: leafStart))
            } else {
                let base = walkNodes.count
                for (p, original) in v.order.enumerated() {
                    let l = v.leftPosition[p]
                    if l < 0 {
                        let value = tree.value[original]
                        walkNodes.append(FlatNode(threshold: -1, column: UInt32(2 * featureCount * block),
                                                  right: UInt32(base + p)))
                        walkLeaf32.append(Float(value))
                        walkLeaf64.append(value)
                    } else {
                        walkNodes.append(FlatNode(threshold: tree.threshold[original], column: column(tree, original),
                                                  right: UInt32(base + l + 1)))
                        walkLeaf32.append(0)
                        walkLeaf64.append(0)
                    }
                }
                plans.append(TreePlan(kind: .walk, start: base, count: v.depth, leafStart: 0,
                                      walkNodeCount: v.order.count))
            }
        }
        // A leaf set is never empty (the exit leaf is never cleared), so the
        // lowest set bit is below the tree's leaf count. The padding keeps
        // even an impossible empty set (index leafStart + 32) inside the
        // arrays rather than trusting that argument for memory safety.
        maskLeaf32.append(contentsOf: repeatElement(0, count: Self.maskLeafLimit + 1))
        maskLeaf64.append(contentsOf: repeatElement(0, count: Self.maskLeafLimit + 1))
        self.plans = plans
        self.maskNodes = maskNodes
        self.maskLeaf32 = maskLeaf32
        self.maskLeaf64 = maskLeaf64
        self.walkNodes = walkNodes
        self.walkLeaf32 = walkLeaf32
        self.walkLeaf64 = walkLeaf64
        self.nodeCount = nodeCount
    }
}
