import TrigMLCore

extension LUTForest {
    /// The LUT summation rule (exact fixed-point sum, rounded once) over
    /// leaves found by someone else: `leaves[t]` is the leaf number reached
    /// in tree t, numbered as `Forest.evaluationTree` numbers them (what
    /// `Forest.exitLeaves` returns). nil when a number is not a leaf of its
    /// tree. `trigml lut verify` uses it to check words with the forest
    /// evaluator's leaf lookup instead of this type's own tree walk.
    package func output(leaves: UnsafePointer<UInt32>) -> Float? {
        var s = baseFixed
        for t in 0..<treeCount {
            let first = treeLeafStart[t]
            let end = t + 1 < treeCount ? treeLeafStart[t + 1] : leafFixed.count
            let leaf = Int(leaves[t])
            guard leaf < end - first else { return nil }
            s += leafFixed[first + leaf]
        }
        return output(s)
    }
}
