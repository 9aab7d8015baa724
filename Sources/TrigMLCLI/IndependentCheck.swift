import TrigMLCore
import TrigMLForest
import TrigMLLUT

// `verify`'s recomputation of words, independent of the generator: blocks
// of addresses are decoded (`LUTScheme.decode`), each tree's exit leaf is
// found by the forest evaluator (`Forest.exitLeaves`, the block kernel of
// `tml_forest_predict`), and the leaves are summed exactly and rounded once
// (`LUTForest.output(leaves:)`), the LUT summation rule of docs/lut.md.
// The forest's own float32 running sum would not do: it may differ from the
// exact sum by an ulp and so move a word by one step at a conversion
// boundary, and a proof must not report such differences. Neither the
// tabulation (side classes, tree groups, tables) nor the one-address tree
// walk of the generator is used.

struct CheckResult {
    var checked = 0
    var differ = 0
    /// Position in the file of the first difference, and what was found.
    var firstDifference: (Int, String)?
}

struct IndependentCheck {
    let parts: [Part]
    let lutForms: [LUTForest]
    let conversion: PtConversion
    let first: UInt64
    let table: TableFile

    /// Positions per work item: the leaf numbers of a block (positions x
    /// trees x 4 bytes) stay in the second-level cache.
    static let blockPositions = 1024

    init(parts: [Part], conversion: PtConversion, first: UInt64, table: TableFile) throws {
        self.parts = parts.sorted { $0.scheme.firstAddress < $1.scheme.firstAddress }
        self.lutForms = try self.parts.map { try $0.forest.lutForm() }
        self.conversion = conversion
        self.first = first
        self.table = table
    }

    /// Checks file positions `position(k)` for k < n on `threads` threads.
    /// Throws when the forest evaluator could not run (its working memory
    /// could not be had): no verdict rather than false differences.
    func run(count n: Int, threads: Int, position: @escaping (Int) -> Int) throws -> CheckResult {
        let blocks = (n + Self.blockPositions - 1) / Self.blockPositions
        let differ = SharedBuffer<Int>(count: blocks, initial: 0)
        let firstBad = SharedBuffer<Int>(count: blocks, initial: -1)
        let failures = SharedBuffer<TMLError?>(count: Swift.max(blocks, 1), initial: nil)
        let workers = Parallel.threadCount(threads, work: blocks)
        Parallel.run(workers: workers) { worker in
            var scratch = Scratch(parts: parts)
            var block = worker
            while block < blocks {
                let lo = block * Self.blockPositions, hi = Swift.min(n, lo + Self.blockPositions)
                do {
                    let (bad, firstPosition) = try check((lo..<hi).map(position), &scratch)
                    differ.pointer[block] = bad
                    firstBad.pointer[block] = firstPosition
                } catch {
                    failures.pointer[block] = error as? TMLError ?? TMLError.internalError("\(error)")
                    return
                }
                block += workers
            }
        }
        for block in 0..<blocks { if let failure = failures.pointer[block] { throw failure } }
        var result = CheckResult(checked: n)
        for block in 0..<blocks where differ.pointer[block] > 0 {
            result.differ += differ.pointer[block]
            if result.firstDifference == nil {
                let position = firstBad.pointer[block]
                result.firstDifference = (position, try describe(position))
            }
        }
        return result
    }

    struct Scratch {
        var addresses: [[UInt64]]
        var positions: [[Int]]
        var inputs: [Float] = []
        var leaves: [UInt32] = []
        var outputs: [Float] = []
        init(parts: [Part]) {
            addresses = Array(repeating: [], count: parts.count)
            positions = Array(repeating: [], count: parts.count)
        }
    }

    /// Differences among `positions`, and the first of them (-1 if none).
    func check(_ positions: [Int], _ scratch: inout Scratch) throws -> (Int, Int) {
        var bad = 0, firstBad = -1
        func mismatch(_ position: Int) {
            bad += 1
            if firstBad < 0 { firstBad = position }
        }
        for k in parts.indices { scratch.addresses[k].removeAll(keepingCapacity: true); scratch.positions[k].removeAll(keepingCapacity: true) }
        let unused = conversion.wordOfZeroPt
        for position in positions {
            let address = first + UInt64(position)
            if let k = parts.firstIndex(where: { $0.scheme.contains(address) }) {
                scratch.addresses[k].append(address)
                scratch.positions[k].append(position)
            } else if table.word(position) != unused {
                mismatch(position)
            }
        }
        for (k, part) in parts.enumerated() where !scratch.addresses[k].isEmpty {
            let rows = scratch.addresses[k].count
            let features = part.scheme.featureCount, trees = part.forest.treeCount
            if scratch.inputs.count < rows * features { scratch.inputs = [Float](repeating: 0, count: rows * features) }
            if scratch.leaves.count < rows * trees { scratch.leaves = [UInt32](repeating: 0, count: rows * trees) }
            if scratch.outputs.count < rows { scratch.outputs = [Float](repeating: 0, count: rows) }
            let valid = try scratch.addresses[k].withUnsafeBufferPointer { addresses in
                try scratch.inputs.withUnsafeMutableBufferPointer { inputs in
                    try scratch.leaves.withUnsafeMutableBufferPointer { leaves in
                        try scratch.outputs.withUnsafeMutableBufferPointer { outputs -> Bool in
                            guard let x = inputs.baseAddress, let leafNumbers = leaves.baseAddress,
                                  let output = outputs.baseAddress else { return false }
                            // Addresses come from the scheme's own range: decode cannot fail.
                            try? part.scheme.decode(addresses, into: x)
                            try part.forest.exitLeaves(rows: rows, x: x, rowStride: features, featureStride: 1,
                                                       out: leafNumbers)
                            return lutForms[k].outputs(leaves: leafNumbers, rows: rows, out: output)
                        }
                    }
                }
            }
            for row in 0..<rows {
                let position = scratch.positions[k][row]
                if !valid || table.word(position) != conversion.word(scratch.outputs[row]) { mismatch(position) }
            }
        }
        return (bad, firstBad)
    }

    /// The first difference, recomputed once with both numbers for the message.
    func describe(_ position: Int) throws -> String {
        let address = first + UInt64(position)
        let found = table.word(position).map(String.init) ?? "a packed uint64 with bits outside the four 9-bit fields"
        guard let k = parts.firstIndex(where: { $0.scheme.contains(address) }) else {
            return "address \(address) (no scheme): file \(found), expected \(conversion.wordOfZeroPt) (the word of pt 0)"
        }
        let part = parts[k]
        var x = [Float](repeating: 0, count: part.scheme.featureCount)
        var leaves = [UInt32](repeating: 0, count: part.forest.treeCount)
        try? [address].withUnsafeBufferPointer { try part.scheme.decode($0, into: &x) }
        try x.withUnsafeBufferPointer { input in
            guard let base = input.baseAddress else { return }
            try part.forest.exitLeaves(rows: 1, x: base, rowStride: x.count, featureStride: 1, out: &leaves)
        }
        var outputs: [Float] = [0]
        let valid = leaves.withUnsafeBufferPointer { lutForms[k].outputs(leaves: $0.baseAddress!, rows: 1, out: &outputs) }
        let output: Float? = valid ? outputs[0] : nil
        let expected = output.map { String(conversion.word($0)) } ?? "?"
        return "address \(address) (0x\(String(address, radix: 16)), \(part.scheme.name)): file \(found), recomputed \(expected) (BDT output \(output.map { "\($0)" } ?? "?"))"
    }
}
