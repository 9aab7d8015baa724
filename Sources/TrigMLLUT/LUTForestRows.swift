/// The one-address path over a few rows at once, for forests of mask trees
/// only (`LUTForest.allMask`). Each row gets exactly what `sum` gives it:
/// per tree the AND of the keep masks of the nodes it does not go left at,
/// the leaf at the lowest set bit, the exact fixed-point sum of those
/// leaves. Only the loop order differs: node by node over the rows of a
/// block (feature-major, so the node test is one vector compare over the
/// block) instead of row by row over 31 nodes a tree with a gather each
/// (perf: `sum` was half of oom_sweep's CPU and of the 2^26-address
/// parity test). The sum is exact integer arithmetic, so the words are the
/// same bits.
struct LUTRowBlock {
    /// Rows per block: the inputs (feature-major), masks and sums of one
    /// block are a few kB, inside `LUTGenerator.oneAddressBytes`.
    static let rows = 64

    let featureCount: Int
    /// `columns[feature * rows + row]`.
    let columns: UnsafeMutablePointer<Float>
    let masks: UnsafeMutablePointer<UInt32>
    let sums: UnsafeMutablePointer<Int128>

    init(featureCount: Int) {
        self.featureCount = featureCount
        columns = .allocate(capacity: Swift.max(1, featureCount) * Self.rows)
        columns.initialize(repeating: 0, count: Swift.max(1, featureCount) * Self.rows)
        masks = .allocate(capacity: Self.rows)
        sums = .allocate(capacity: Self.rows)
    }

    func deallocate() {
        columns.deallocate()
        masks.deallocate()
        sums.deallocate()
    }

    /// Row `row`'s inputs from a row-major `x` of `featureCount` values.
    func setRow(_ row: Int, from x: UnsafePointer<Float>) {
        for feature in 0..<featureCount { columns[feature * Self.rows + row] = x[feature] }
    }
}

extension LUTForest {
    /// `sums[row]` = `sum` of each of the first `count` rows of the block.
    func sums(_ block: LUTRowBlock, count: Int) {
        let masks = block.masks, sums = block.sums
        for row in 0..<count { sums[row] = baseFixed }
        nodeFeature.withUnsafeBufferPointer { feat in
            nodeThreshold.withUnsafeBufferPointer { thr in
            nodeNaNLeft.withUnsafeBufferPointer { nanLeft in
                nodeKeep.withUnsafeBufferPointer { keep in
                    leafFixed.withUnsafeBufferPointer { leaves in
                        for t in 0..<treeCount {
                            for row in 0..<count { masks[row] = .max }
                            let k0 = treeNodeStart[t]
                            for k in k0..<(k0 + treeNodeCount[t]) {
                                let column = block.columns + feat[k] * LUTRowBlock.rows
                                let threshold = thr[k], left = nanLeft[k], nodeKeep = keep[k]
                                for row in 0..<count { masks[row] &= nodeKeep | Self.leftMask(column[row], threshold, left) }
                            }
                            let treeLeaves = leaves.baseAddress! + treeLeafStart[t]
                            for row in 0..<count { sums[row] &+= treeLeaves[masks[row].trailingZeroBitCount] }
                        }
                    }
                }
            }
            }
        }
    }
}
