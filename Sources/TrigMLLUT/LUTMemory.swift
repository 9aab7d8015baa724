import TrigMLCore

/// The memory of a tabulation, checked before each part is built
/// (`MemoryPreflight`, ARCHITECTURE.md "Memory"). A LUT batch job runs
/// under an address-space limit; rather than fail there, generation takes
/// the cheaper form that fits: the trees regroup into smaller tables (at
/// worst one tree per table) and, when even that or the set-up does not
/// fit, the range is evaluated one address at a time
/// (`LUTGenerator.tabulationIfMemoryAllows`), which needs only a few kB per
/// thread and is much slower for a large range (docs/reliability.md). Every form gives the same words:
/// the sums are exact (`LUTTuning`). Under `TRIGML_LUT_DEBUG=1` each
/// fallback prints one line on stderr saying what did not fit.
enum LUTMemory {
    /// Address space kept free for the Swift arrays made between two checks
    /// (class masks, representatives, per-tree leaf values, the fill's
    /// per-block sums).
    static let headroom = 32 << 20

    /// Each cell shrink when a table block does not fit divides the cell
    /// limit by this.
    static let cellLimitDivisor = 16
}

extension Tabulation {
    /// The side inputs and every tree's classes on both sides, plus one
    /// mask scratch per thread, must fit before the set-up starts.
    static func requireSetupMemory(_ scheme: LUTScheme, _ lutForest: LUTForest, lowValueCount: Int,
                                   highValueCount: Int, threads: Int) throws {
        let sideValues = lowValueCount + highValueCount
        let inputs = MemoryPreflight.bytes(scheme.featureCount * sideValues, MemoryLayout<Float>.stride)
        let treeClasses = MemoryPreflight.bytes(lutForest.treeCount * sideValues, MemoryLayout<UInt16>.stride)
        let workers = Parallel.threadCount(threads, work: lutForest.treeCount)
        let scratch = MemoryPreflight.bytes(workers * Swift.max(lowValueCount, highValueCount), MemoryLayout<UInt32>.stride,
                                            plus: MemoryPreflight.threadBytes(workers: workers))
        let total = MemoryPreflight.bytes(1, inputs, plus: treeClasses).addingReportingOverflow(scratch + LUTMemory.headroom)
        let bytes = total.overflow ? Int.max : total.partialValue
        LUTTuning.debugNote("set-up needs about \(MemoryPreflight.describe(bytes)) "
                            + "(\(lutForest.treeCount) trees x \(sideValues) side values)")
        try MemoryPreflight.require(bytes, for: "the LUT tabulation set-up (\(lutForest.treeCount) trees x \(sideValues) side values)")
    }

    /// The memory a grouping's tables hold.
    struct TableMemory {
        let lowClasses: CheckedBuffer<UInt16>
        let narrow: CheckedBuffer<Int64>
        let wide: [[Int128]]
        let offsets: [Int]
    }

    /// Groups the trees and builds their tables; when the tables do not fit,
    /// regroups with `LUTMemory.cellLimitDivisor` times fewer cells per
    /// table, down to one tree per table, before giving up (`.outOfMemory`).
    static func groupsAndTables(order: [Int], _ lutForest: LUTForest, low: [SideLeafClasses], high: [SideLeafClasses],
                                lowValueCount: Int, narrow: Bool, threads: Int) throws -> ([TreeGroup], TableMemory) {
        var cellLimit = LUTTuning.maxCellsPerGroup
        while true {
            let groups = try formGroups(order: order, low: low, high: high, cellLimit: cellLimit)
            LUTTuning.debugPhase("grouping")
            do {
                let tables = try tableMemory(groups, lutForest, low: low, high: high, lowValueCount: lowValueCount,
                                             narrow: narrow, threads: threads)
                return (groups, tables)
            } catch let error as TMLError where error.code == .outOfMemory && cellLimit > 1 {
                let smaller = Swift.max(1, cellLimit / LUTMemory.cellLimitDivisor)
                LUTTuning.debugNote("\(error.message); regrouping with at most \(smaller) cells per table")
                cellLimit = smaller
            }
        }
    }

    /// The group-major low classes and the tables of `groups`, each
    /// allocated through a check; nothing is kept when one does not fit.
    static func tableMemory(_ groups: [TreeGroup], _ lutForest: LUTForest, low: [SideLeafClasses], high: [SideLeafClasses],
                            lowValueCount: Int, narrow: Bool, threads: Int) throws -> TableMemory {
        var offsets: [Int] = []
        var cellCount = 0
        for group in groups {
            offsets.append(cellCount)
            cellCount += group.lowClassCount * group.highClassCount
        }
        let describeTables = "\(groups.count) LUT tables of \(cellCount) cells"
        LUTTuning.debugNote("\(describeTables): \(MemoryPreflight.describe(MemoryPreflight.bytes(cellCount, narrow ? 8 : 16)))")
        // Per worker: one tree's leaf values (`groupTable`).
        let largestTree = zip(low, high).map { $0.classMask.count * $1.classMask.count }.max() ?? 0
        let workers = Parallel.threadCount(threads, work: groups.count)
        let scratch = MemoryPreflight.bytes(workers * largestTree, MemoryLayout<Int128>.stride,
                                            plus: LUTMemory.headroom + MemoryPreflight.threadBytes(workers: workers))
        let narrowBlock = try CheckedBuffer<Int64>(count: narrow ? cellCount : 0, initial: 0, what: describeTables)
        if !narrow {
            try MemoryPreflight.require(MemoryPreflight.bytes(cellCount, MemoryLayout<Int128>.stride, plus: scratch),
                                        for: describeTables)
        }
        let lowClasses = try CheckedBuffer<UInt16>(count: lowValueCount * groups.count, initial: 0,
                                                   what: "the low-side classes of \(groups.count) LUT tree groups")
        for (groupIndex, group) in groups.enumerated() {
            group.lowClassOfValue.withUnsafeBufferPointer { classes in
                guard let base = classes.baseAddress else { return }
                (lowClasses.pointer + groupIndex * lowValueCount).update(from: base, count: lowValueCount)
            }
        }
        try MemoryPreflight.require(scratch, for: "the per-tree leaf values of \(workers) LUT table builders")
        let wide = try groupTables(groups, lutForest, low: low, high: high, narrowBlock: narrow ? narrowBlock : nil,
                                   offsets: offsets, threads: threads)
        return TableMemory(lowClasses: lowClasses, narrow: narrowBlock, wide: wide, offsets: offsets)
    }
}
