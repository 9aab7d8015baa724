/// A tree of a loaded forest in the form its evaluation uses, for the
/// other engines of the package that need the trees themselves (the LUT
/// generator tabulates them per address field). Read-only copies: the
/// forest stays immutable.
package enum EvaluationTree: Sendable {
    /// At most 32 leaves (QuickScorer's form, see `MaskNode`): for each
    /// internal node, the feature, threshold and `keep` mask; `leaves` in
    /// left-to-right order (one more than the nodes). A row's exit leaf is
    /// the lowest set bit of the AND of `keep` over the nodes where
    /// !(x[feature] < threshold); a NaN input follows `defaultLeft`.
    case mask(feature: [Int], threshold: [Float], keep: [UInt32], defaultLeft: [Bool], leaves: [Double])
    /// Larger trees, as explicit nodes with local indices, root 0. Node i is
    /// a leaf of value `leaves[i]` when `right[i] == i`; otherwise its left
    /// child is `right[i] - 1` and a row goes left when
    /// x[feature[i]] < threshold[i] (NaN: `defaultLeft[i]`).
    case walk(feature: [Int], threshold: [Float], right: [Int], defaultLeft: [Bool], leaves: [Double])
}

extension Forest {
    /// Tree `index` (0 <= index < treeCount) in summation order.
    package func evaluationTree(_ index: Int) -> EvaluationTree {
        let plan = layout.plans[index]
        let block = ForestLayout.blockRows
        // A node column is (f or f + F for default-left) * blockRows.
        func feature(_ column: UInt32) -> (Int, Bool) {
            let c = Int(column) / block
            return c >= featureCount ? (c - featureCount, true) : (c, false)
        }
        switch plan.kind {
        case .mask:
            let nodes = layout.maskNodes[plan.start..<(plan.start + plan.count)]
            let columns = nodes.map { feature($0.column) }
            return .mask(feature: columns.map(\.0), threshold: nodes.map(\.threshold), keep: nodes.map(\.keep),
                         defaultLeft: columns.map(\.1),
                         leaves: Array(layout.maskLeaf64[plan.leafStart..<(plan.leafStart + plan.count + 1)]))
        case .walk:
            let range = plan.start..<(plan.start + plan.walkNodeCount)
            let nodes = layout.walkNodes[range]
            // Leaves read the zero column 2F; report them as feature 0.
            let columns = nodes.map { Int($0.column) / block == 2 * featureCount ? (0, false) : feature($0.column) }
            return .walk(feature: columns.map(\.0), threshold: nodes.map(\.threshold),
                         right: nodes.map { Int($0.right) - plan.start }, defaultLeft: columns.map(\.1),
                         leaves: Array(layout.walkLeaf64[range]))
        }
    }
}
