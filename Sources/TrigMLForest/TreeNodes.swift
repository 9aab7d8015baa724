import TrigMLCore

/// One decision tree as a file describes it, before any checking: parallel
/// per-node arrays, node 0 the root. A node is a leaf when its left child is
/// -1 (its right child must then be -1 too); an internal node sends a row
/// left when `x[feature] < threshold`, right otherwise, and a NaN feature the
/// way `defaultLeft` says.
///
/// Both file readers (XGBoost JSON and the library's own forest JSON) fill
/// this struct; `ValidatedTree` is the only way to turn it into something the
/// evaluator reads, so every check lives in one place.
package struct TreeNodes {
    package var left: [Int]
    package var right: [Int]
    package var feature: [Int]
    /// Split thresholds, float32 (XGBoost's and TMVA's storage type).
    package var threshold: [Float]
    package var defaultLeft: [Bool]
    /// Leaf values in double; an XGBoost reader stores float32 values here
    /// (exactly representable), the own format keeps full precision.
    package var value: [Double]
    /// Where the tree came from, for messages ("x.json: trees[3]").
    package var source: String

    package init(left: [Int], right: [Int], feature: [Int], threshold: [Float],
                defaultLeft: [Bool], value: [Double], source: String) {
        self.left = left
        self.right = right
        self.feature = feature
        self.threshold = threshold
        self.defaultLeft = defaultLeft
        self.value = value
        self.source = source
    }

    package var nodeCount: Int { left.count }
}

/// A tree that passed every check, renumbered breadth-first so that the two
/// children of a node are adjacent (right = left + 1), which is how the
/// walk layout of `ForestLayout` stores them (`FlatNode`). Unreachable nodes
/// (XGBoost's deleted nodes) are dropped; their contents are never read.
struct ValidatedTree {
    /// Original node index at each breadth-first position.
    let order: [Int]
    /// Breadth-first position of each original node's left child, or -1 for
    /// a leaf (indexed by breadth-first position).
    let leftPosition: [Int]
    /// Number of levels a row descends to reach the deepest leaf (0 for a
    /// tree that is a single leaf).
    let depth: Int

    /// Deeper trees are refused: evaluation walks every tree to its full
    /// depth, and no boosting tool writes trees anywhere near this deep.
    static let maxDepth = 1024

    init(_ t: TreeNodes, featureCount: Int) throws {
        let n = t.nodeCount
        guard n >= 1 else { throw TMLError.format("\(t.source) has no nodes") }
        func lengthCheck(_ count: Int, _ name: String) throws {
            guard count == n else {
                throw TMLError.shape("\(t.source): \(name) has \(count) entries but left_children has \(n)")
            }
        }
        try lengthCheck(t.right.count, "the right-child array")
        try lengthCheck(t.feature.count, "the split-feature array")
        try lengthCheck(t.threshold.count, "the threshold array")
        try lengthCheck(t.defaultLeft.count, "the default-direction array")
        try lengthCheck(t.value.count, "the leaf-value array")

        // Breadth-first walk from the root. A node can be reached only once:
        // a second arrival means a cycle or a node shared by two parents, and
        // either is refused, which also bounds the walk by n steps.
        var position = [Int](repeating: -1, count: n)
        var order: [Int] = [0]
        var levelOf: [Int] = [0]
        var leftPosition: [Int] = []
        position[0] = 0
        var head = 0
        var depth = 0
        while head < order.count {
            let i = order[head]
            let level = levelOf[head]
            head += 1
            let l = t.left[i], r = t.right[i]
            if l == -1 {
                guard r == -1 else {
                    throw TMLError.format("\(t.source): node \(i) has left child -1 (a leaf) but right child \(r); a leaf needs both -1")
                }
                guard t.value[i].isFinite else {
                    throw TMLError.format("\(t.source): leaf node \(i) has a non-finite value (\(t.value[i]))")
                }
                leftPosition.append(-1)
                continue
            }
            guard l >= 0, l < n else {
                throw TMLError.format("\(t.source): node \(i) has left child \(l), outside [0, \(n)) (or -1 for a leaf)")
            }
            guard r >= 0, r < n else {
                throw TMLError.format("\(t.source): node \(i) has right child \(r), outside [0, \(n))")
            }
            guard l != r else {
                throw TMLError.format("\(t.source): node \(i) has the same node \(l) as both children")
            }
            for child in [l, r] where position[child] != -1 {
                throw TMLError.format("\(t.source): node \(child) is reached a second time (from node \(i)): the tree has a cycle or a shared node")
            }
            let f = t.feature[i]
            guard f >= 0, f < featureCount else {
                throw TMLError.format("\(t.source): node \(i) splits on feature \(f), outside [0, \(featureCount))")
            }
            guard t.threshold[i].isFinite else {
                throw TMLError.format("\(t.source): node \(i) has a non-finite threshold (\(t.threshold[i]))")
            }
            guard level + 1 <= Self.maxDepth else {
                throw TMLError.unsupported("\(t.source) is deeper than \(Self.maxDepth) levels")
            }
            leftPosition.append(order.count)
            position[l] = order.count
            order.append(l)
            levelOf.append(level + 1)
            position[r] = order.count
            order.append(r)
            levelOf.append(level + 1)
            depth = max(depth, level + 1)
        }
        self.order = order
        self.leftPosition = leftPosition
        self.depth = depth
    }
}
