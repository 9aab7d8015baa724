import TrigMLCore
import TrigMLForest

/// LUT generation: decode -> forest -> conversion for every address of a
/// range, with the summation rule of `LUTForest` on every path.
///
/// Two paths give the same words (tested entry for entry):
///
/// - **one address at a time** (`evaluate`, and `generate` on small
///   ranges): decode the address, find each tree's leaf, add the
///   fixed-point leaves, round once, convert;
/// - **tabulated** (`generate` on large ranges, `Tabulation`): the address
///   bits are cut at a split bit such that every BDT input depends only on
///   fields below it ("low" side: for EMTF the dPhi fields and signs) or
///   only on fields above it ("high" side: theta, bends, RPC, FR, dTheta)
///   (`AddressSplit.swift`). For each tree, its nodes on low inputs give a
///   leaf mask KL(low value) and its nodes on high inputs KH(high value);
///   the tree's exit leaf is ctz(KL & KH), the mask rule of
///   `ForestLayout` (`SideLeafClasses.swift`). Trees are grouped greedily;
///   within a group the low values fall into classes (equal KL for every
///   tree of the group), and likewise the high values (`TreeGrouping.swift`),
///   and the group's exact partial sum is a table over (high class, low
///   class) (`GroupTables.swift`). An address's output is then the base
///   plus one table entry per group (`TabulationFill.swift`). Because the
///   fixed-point sum is exact, grouping and order cannot change any bit.
///
/// The knobs that tune the tabulation are in `LUTTuning`.
package enum LUTGenerator {
    /// Addresses per work item of the one-address path and of the side
    /// decoding: large enough to amortise a decoder per item, small enough
    /// to balance the threads.
    static let addressChunk = 4096

    /// Checks that scheme and forest fit together and the range is inside
    /// the scheme.
    static func check(_ scheme: LUTScheme, _ forest: LUTForest, first: UInt64, count: UInt64) throws {
        try check(scheme, featureCount: forest.featureCount, origin: forest.origin, first: first, count: count)
    }

    static func check(_ scheme: LUTScheme, featureCount: Int, origin: String, first: UInt64, count: UInt64) throws {
        try checkShape(scheme, featureCount: featureCount, origin: origin)
        let end = scheme.firstAddress + (scheme.addressCount - 1)
        if count == 0 { return }
        let (last, overflow) = first.addingReportingOverflow(count - 1)
        guard first >= scheme.firstAddress, !overflow, last <= end else {
            throw TMLError.invalid("range [\(first), \(first) + \(count)) is outside scheme '\(scheme.name)' range [\(scheme.firstAddress), \(end)]")
        }
    }

    /// The scheme decodes as many inputs as the forest takes.
    static func checkShape(_ scheme: LUTScheme, featureCount: Int, origin: String) throws {
        guard scheme.featureCount == featureCount else {
            throw TMLError.shape("scheme '\(scheme.name)' decodes \(scheme.featureCount) inputs but the forest (\(origin)) takes \(featureCount)")
        }
    }

    /// The one-address-at-a-time path, for any addresses of the scheme.
    /// `words` and `margins` (either may be nil) receive the stored word and
    /// the rounded BDT output.
    package static func evaluate(scheme: LUTScheme, forest lutForest: LUTForest, conversion: PtConversion,
                                addresses: UnsafeBufferPointer<UInt64>,
                                words: UnsafeMutablePointer<UInt16>?, margins: UnsafeMutablePointer<Float>?,
                                threads: Int) throws {
        try conversion.validate()
        try checkShape(scheme, featureCount: lutForest.featureCount, origin: lutForest.origin)
        for (index, address) in addresses.enumerated() where !scheme.contains(address) {
            throw TMLError.invalid("address[\(index)] = \(address) is outside scheme '\(scheme.name)'")
        }
        guard let addressBase = addresses.baseAddress else { return }
        oneAddressAtATime(scheme, lutForest, count: addresses.count, threads: threads, address: { addressBase[$0] }) { index, output in
            margins?[index] = output
            words?[index] = conversion.word(output)
        }
    }

    /// `out[k]` = the word of address first + k, k < count.
    package static func generate(scheme: LUTScheme, forest lutForest: LUTForest, conversion: PtConversion,
                                first: UInt64, count: UInt64, out: UnsafeMutablePointer<UInt16>,
                                threads: Int, allowTabulation: Bool = true) throws {
        try conversion.validate()
        try check(scheme, lutForest, first: first, count: count)
        if count == 0 { return }
        let addressCount = try checkedCount(count, elementBytes: 2, what: "count")
        if allowTabulation, tabulationPays(scheme, count: count), lutForest.allMask {
            let setupStart = LUTTuning.monotonicSeconds()
            if let tabulation = try tabulationIfMemoryAllows(scheme, lutForest, count: count, threads: threads) {
                let fillStart = LUTTuning.monotonicSeconds()
                tabulation.fill(first: first, count: addressCount, conversion: conversion, out: out, threads: threads)
                LUTTuning.debugSummary(tabulation, setupSeconds: fillStart - setupStart,
                                       fillSeconds: LUTTuning.monotonicSeconds() - fillStart)
                return
            }
        }
        oneAddressAtATime(scheme, lutForest, count: addressCount, threads: threads, address: { first + UInt64($0) }) { index, output in
            out[index] = conversion.word(output)
        }
    }

    /// The tabulation, or nil when it does not fit in the memory left even
    /// with the smallest tables (`LUTMemory`): then the range is evaluated
    /// one address at a time, which gives the same words and needs only
    /// the output, the forest's LUT form (both already there) and a few kB
    /// per thread, but is slower for a large range (docs/reliability.md:
    /// about 5 ns of CPU per depth-4 tree evaluation, so 2^24 words of a
    /// 400-tree forest take about a CPU minute instead of 13 s). Issue 12 asks for
    /// the slow answer over a failure; `TRIGML_LUT_DEBUG=1` says which
    /// path was taken and why. Throws `.outOfMemory` only when even the
    /// one-address path's own memory cannot be had (`requireOneAddressMemory`).
    static func tabulationIfMemoryAllows(_ scheme: LUTScheme, _ lutForest: LUTForest, count: UInt64,
                                         threads: Int) throws -> Tabulation? {
        do {
            return try Tabulation(scheme: scheme, forest: lutForest, threads: threads)
        } catch let error as TMLError where error.code == .outOfMemory {
            try requireOneAddressMemory(because: error.message)
            LUTTuning.debugNote("\(error.message); evaluating one address at a time instead "
                                + "(\(count) addresses x \(lutForest.treeCount) trees)")
            return nil
        }
    }

    /// Address space the one-address path needs besides the output and the
    /// forest: per worker a decoder and one input row (a few kB), and the
    /// Swift runtime's small allocations meanwhile. Threads that cannot be
    /// started are run inline (`Parallel.run`), so their stacks do not count.
    static let oneAddressBytes = 4 << 20

    /// Throws `.outOfMemory` (naming `reason`, what did not fit before)
    /// when even the one-address path's few MiB cannot be had.
    static func requireOneAddressMemory(because reason: String) throws {
        guard MemoryPreflight.fits(oneAddressBytes) else {
            LUTTuning.debugNote("\(reason); even one address at a time does not fit")
            throw TMLError(.outOfMemory, reason + "; evaluating one address at a time instead needs "
                           + "\(MemoryPreflight.describe(oneAddressBytes)), which is not there either")
        }
    }

    /// Tabulate when the range is at least as large as the two sides'
    /// domains: the set-up costs about one evaluation per side value.
    static func tabulationPays(_ scheme: LUTScheme, count: UInt64) -> Bool {
        guard let splitBit = split(scheme) else { return false }
        let domains = (UInt64(1) << UInt64(splitBit)) + (UInt64(1) << UInt64(scheme.addressBits - splitBit))
        return count >= Swift.max(domains, UInt64(addressChunk))
    }

    /// The one-address path over `count` addresses, in chunks on `threads`
    /// threads: entry i is `address(i)`, decoded, evaluated and rounded
    /// (`LUTForest` rule), then handed to `store(i, output)`.
    static func oneAddressAtATime(_ scheme: LUTScheme, _ lutForest: LUTForest, count: Int, threads: Int,
                                  address: @escaping (Int) -> UInt64, store: @escaping (Int, Float) -> Void) {
        forEachChunk(count, threads: threads) { indices in
            var decoder = LUTScheme.Decoder(scheme)
            var inputs = [Float](repeating: 0, count: scheme.featureCount)
            inputs.withUnsafeMutableBufferPointer { inputBuffer in
                guard let inputPointer = inputBuffer.baseAddress else { return }
                guard lutForest.allMask else {
                    for index in indices {
                        decoder.decode(address(index), into: inputPointer)
                        store(index, lutForest.output(lutForest.sum(inputPointer)))
                    }
                    return
                }
                // Mask trees: a block of rows at a time (`LUTRowBlock`), same sums.
                let block = LUTRowBlock(featureCount: scheme.featureCount)
                defer { block.deallocate() }
                var start = indices.lowerBound
                while start < indices.upperBound {
                    let rows = Swift.min(LUTRowBlock.rows, indices.upperBound - start)
                    for row in 0..<rows {
                        decoder.decode(address(start + row), into: inputPointer)
                        block.setRow(row, from: inputPointer)
                    }
                    lutForest.sums(block, count: rows)
                    for row in 0..<rows { store(start + row, lutForest.output(block.sums[row])) }
                    start += rows
                }
            }
        }
    }

    /// `body(range)` for the consecutive ranges of `addressChunk` items
    /// that cover 0..<count, on `threads` threads.
    static func forEachChunk(_ count: Int, threads: Int, _ body: @escaping (Range<Int>) -> Void) {
        let chunkCount = (count + addressChunk - 1) / addressChunk
        Parallel.forEach(chunkCount, threads: threads) { chunk in
            body((chunk * addressChunk)..<Swift.min(count, (chunk + 1) * addressChunk))
        }
    }
}

extension LUTGenerator {
    /// The range and shape checks of `generate`, for callers with nothing to write.
    package static func checkRange(_ scheme: LUTScheme, _ forest: Forest, first: UInt64, count: UInt64) throws {
        try checkInputs(scheme, forest)
        try check(scheme, featureCount: forest.featureCount, origin: forest.origin, first: first, count: count)
    }

    /// `evaluate` on a forest's cached LUT form (`Forest.lutForm()`).
    package static func evaluate(scheme: LUTScheme, forest: Forest, conversion: PtConversion,
                                addresses: UnsafeBufferPointer<UInt64>,
                                words: UnsafeMutablePointer<UInt16>?, margins: UnsafeMutablePointer<Float>?,
                                threads: Int) throws {
        try checkInputs(scheme, forest)
        try evaluate(scheme: scheme, forest: forest.lutForm(), conversion: conversion, addresses: addresses,
                     words: words, margins: margins, threads: threads)
    }

    /// `generate` on a forest's cached LUT form (`Forest.lutForm()`).
    package static func generate(scheme: LUTScheme, forest: Forest, conversion: PtConversion,
                                first: UInt64, count: UInt64, out: UnsafeMutablePointer<UInt16>,
                                threads: Int, allowTabulation: Bool = true) throws {
        try checkInputs(scheme, forest)
        try generate(scheme: scheme, forest: forest.lutForm(), conversion: conversion, first: first, count: count,
                     out: out, threads: threads, allowTabulation: allowTabulation)
    }
}

