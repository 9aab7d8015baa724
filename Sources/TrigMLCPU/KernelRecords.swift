/// The plain records the kernel paths work on: no arrays, no classes, only
/// counts and pointers into storage their owners keep alive for the call
/// (a `DenseLayer`, a forest's layout). Every path module reads the same
/// records, so the owners build them once.

/// Jets or constituents (tagger) per double tile.
@usableFromInline package typealias DoubleTile = SIMD4<Double>

/// Hidden-layer activations. `leakyRelu` and `elu` take the layer's
/// `alpha` (negative-side slope, resp. scale of exp(x) - 1).
package enum Activation: String {
    case linear
    case relu
    case leakyRelu = "leaky_relu"
    case elu
    case tanh
}

/// Outputs per weight group: a layer's weights for outputs 4g ..< 4g + 4 are
/// stored [input][4], so the weights one input feeds are contiguous.
@inlinable package var outputGroup: Int { 4 }

/// One dense layer of a double (tagger) network: `groupedWeights` holds the
/// full groups of `outputGroup` outputs, [group][input][4]; `tailWeights`
/// the outputs past the last full group, [output][input]. The file's float32
/// numbers, exactly, in double.
package struct DenseLayerView {
    package var inputs: Int
    package var outputs: Int
    package var activation: Activation
    package var alpha: Double
    package var groupedWeights: UnsafePointer<Double>
    package var tailWeights: UnsafePointer<Double>
    package var bias: UnsafePointer<Double>

    package init(inputs: Int, outputs: Int, activation: Activation, alpha: Double,
                 groupedWeights: UnsafePointer<Double>, tailWeights: UnsafePointer<Double>, bias: UnsafePointer<Double>) {
        self.inputs = inputs
        self.outputs = outputs
        self.activation = activation
        self.alpha = alpha
        self.groupedWeights = groupedWeights
        self.tailWeights = tailWeights
        self.bias = bias
    }
}

/// An internal node of a mask-layout tree (QuickScorer's idea, applied to
/// a block of rows at once): a row whose feature is not below the threshold
/// goes right, so no leaf of the node's left subtree can be its exit leaf;
/// AND-ing `keep` (zero bits at those leaves) into the row's 32-bit leaf set
/// for every such node, over all nodes of the tree in any order, leaves the
/// exit leaf as the lowest set bit. Every node is one vector compare and
/// one AND over many rows, with no data-dependent loads or branches.
package struct MaskNode {
    package var threshold: Float
    package var column: UInt32
    package var keep: UInt32

    package init(threshold: Float, column: UInt32, keep: UInt32) {
        self.threshold = threshold
        self.column = column
        self.keep = keep
    }
}

/// A node of the walk layout, for trees too large for a 32-bit leaf set.
/// Children are adjacent; a row steps to `right - goesLeft` where
/// goesLeft = sign bit of (x - threshold): exactly `x < threshold` for every
/// non-NaN x once -0.0 is read as +0.0 (the difference of two floats is zero
/// only when they are equal, and rounding keeps its sign). This is
/// arithmetic, not a compare, so the compiler cannot turn the walk into
/// branches that random data would mispredict. A leaf is its own `right`
/// child and reads the zero column against threshold -1 (0 - (-1) > 0), so
/// walking it further keeps it in place: every tree is walked a fixed
/// number of levels (its depth).
package struct FlatNode {
    package var threshold: Float
    package var column: UInt32
    package var right: UInt32

    package init(threshold: Float, column: UInt32, right: UInt32) {
        self.threshold = threshold
        self.column = column
        self.right = right
    }

    /// The node a row with value `value` (of this node's column) steps to.
    @inlinable @inline(__always)
    package func next(_ value: Float) -> Int {
        Int(right &- (value - threshold).bitPattern >> 31)
    }
}

/// Per tree, in order: which layout, and where its records start.
package struct TreePlan {
    package enum Kind { case mask, walk }
    package var kind: Kind
    /// Mask layout: first MaskNode and count; walk layout: root FlatNode
    /// and depth.
    package var start: Int
    package var count: Int
    /// Mask layout: first leaf value (leaves in left-to-right order).
    package var leafStart: Int
    /// Walk layout: number of nodes (leaves included), from `start`.
    package var walkNodeCount: Int = 0

    package init(kind: Kind, start: Int, count: Int, leafStart: Int, walkNodeCount: Int = 0) {
        self.kind = kind
        self.start = start
        self.count = count
        self.leafStart = leafStart
        self.walkNodeCount = walkNodeCount
    }
}

/// A forest's evaluation records for one call (ForestLayout.swift): the
/// plans in tree order, the node arrays they index, the block's row count.
package struct ForestRecords {
    package var plans: UnsafeBufferPointer<TreePlan>
    package var maskNodes: UnsafePointer<MaskNode>?
    package var walkNodes: UnsafePointer<FlatNode>?
    package var blockRows: Int

    package init(plans: UnsafeBufferPointer<TreePlan>, maskNodes: UnsafePointer<MaskNode>?,
                 walkNodes: UnsafePointer<FlatNode>?, blockRows: Int) {
        self.plans = plans
        self.maskNodes = maskNodes
        self.walkNodes = walkNodes
        self.blockRows = blockRows
    }
}
