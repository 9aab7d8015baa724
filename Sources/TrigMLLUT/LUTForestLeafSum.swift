import TrigMLCore

extension LUTForest {
    /// The LUT summation rule (exact fixed-point sum, rounded once) over
    /// leaves found by someone else: `leaves[t * rows + row]` is the leaf
    /// number row `row` reaches in tree t, numbered as
    /// `Forest.evaluationTree` numbers them (what `Forest.exitLeaves`
    /// returns). `out[row]` receives the rounded output. False (and `out`
    /// unspecified) when a number is not a leaf of its tree. `trigml lut
    /// verify` uses it to check words with the forest evaluator's leaf
    /// lookup instead of this type's own tree walk.
    package func outputs(leaves: UnsafePointer<UInt32>, rows: Int, out: UnsafeMutablePointer<Float>) -> Bool {
        if fitsInt64 {
            return sumTrees(leaves, rows, Int64(truncatingIfNeeded: baseFixed), { Int64(truncatingIfNeeded: $0) }) {
                out[$0] = roundToFloat(Int128($1), scale: scale)
            }
        }
        return sumTrees(leaves, rows, baseFixed, { $0 }) { out[$0] = roundToFloat($1, scale: scale) }
    }

    /// Tree by tree, each row's accumulator plus its leaf; then `store`.
    @inline(__always)
    func sumTrees<Sum: FixedWidthInteger>(_ leaves: UnsafePointer<UInt32>, _ rows: Int, _ base: Sum,
                                          _ convert: (Int128) -> Sum, _ store: (Int, Sum) -> Void) -> Bool {
        let values = leafFixed.map(convert)
        var sums = [Sum](repeating: base, count: rows)
        let valid = values.withUnsafeBufferPointer { value -> Bool in
            sums.withUnsafeMutableBufferPointer { sum -> Bool in
                for t in 0..<treeCount {
                    let first = treeLeafStart[t]
                    let count = UInt32((t + 1 < treeCount ? treeLeafStart[t + 1] : leafFixed.count) - first)
                    let treeLeaves = leaves + t * rows
                    let treeValues = value.baseAddress! + first
                    for row in 0..<rows {
                        let leaf = treeLeaves[row]
                        guard leaf < count else { return false }
                        sum[row] &+= treeValues[Int(leaf)]
                    }
                }
                return true
            }
        }
        if valid { for row in 0..<rows { store(row, sums[row]) } }
        return valid
    }
}
