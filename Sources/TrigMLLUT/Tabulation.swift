import TrigMLCore

/// The tabulated form of one (scheme, forest) pair (see `LUTGenerator`):
/// per group of trees, the class of every low value, the class of every
/// high value, and the group's exact partial sum per (high class, low
/// class). An address's fixed-point output is `baseFixed` plus one table
/// entry per group (`fill`, in `TabulationFill.swift`).
final class Tabulation: @unchecked Sendable {
    let scheme: LUTScheme
    /// Address bits below `splitBit` are the low side.
    let splitBit: Int
    let lowValueCount: Int
    let highValueCount: Int
    let groupCount: Int
    /// `lowClassByGroup[group * lowValueCount + lowValue]`: the low class of
    /// a low value in a group (group-major, so a block of low values of
    /// consecutive groups is read with a fixed stride).
    let lowClassByGroup: UnsafeMutablePointer<UInt16>
    /// `highClassByGroup[group][highValue]`.
    let highClassByGroup: [[UInt16]]
    /// Per group: the number of low classes (the length of a table row).
    let lowClassCount: [Int]
    /// True when every partial sum fits in Int64 (`LUTForest.fitsInt64`):
    /// the tables are `narrowTables`, else `wideTables`.
    let narrow: Bool
    /// Per group, high-major: `wideTables[group][highClass * lowClassCount[group] + lowClass]`.
    let wideTables: [[Int128]]
    /// The narrow tables in one block, group g at `narrowTableOffset[g]`,
    /// laid out as the wide ones.
    let narrowTables: UnsafeMutablePointer<Int64>
    let narrowTableOffset: [Int]
    /// The forest's base margin and fixed-point scale (`LUTForest`).
    let baseFixed: Int128
    let scale: Int

    deinit { narrowTables.deallocate(); lowClassByGroup.deallocate() }

    /// Nil when the scheme has no split bit or a tree has too many leaf
    /// classes on a side (then the caller evaluates one address at a time).
    init?(scheme: LUTScheme, forest lutForest: LUTForest, threads: Int) throws {
        guard let splitBit = LUTGenerator.split(scheme),
              let lowFields = LUTGenerator.fieldsBelow(splitBit, in: scheme) else { return nil }
        let lowValueCount = 1 << splitBit
        let highValueCount = 1 << (scheme.addressBits - splitBit)
        let inputIsLow = LUTGenerator.inputIsLow(scheme, lowFields: lowFields)

        LUTTuning.debugPhase("start")
        let lowInputs = Self.decodeSide(scheme, valueCount: lowValueCount, shift: 0, threads: threads)
        let highInputs = Self.decodeSide(scheme, valueCount: highValueCount, shift: splitBit, threads: threads)
        LUTTuning.debugPhase("side features")
        guard let trees = Self.treeLeafClasses(lutForest, inputIsLow: inputIsLow,
                                               low: (lowInputs, lowValueCount), high: (highInputs, highValueCount),
                                               threads: threads) else { return nil }
        LUTTuning.debugPhase("tree masks")
        let order = Self.groupingOrder(lutForest, inputIsLow: inputIsLow)
        let groups = Self.formGroups(order: order, low: trees.low, high: trees.high)
        LUTTuning.debugPhase("grouping")
        let tables = Self.groupTables(groups, lutForest, low: trees.low, high: trees.high, threads: threads)
        LUTTuning.debugPhase("tables")

        self.scheme = scheme
        self.splitBit = splitBit
        self.lowValueCount = lowValueCount
        self.highValueCount = highValueCount
        self.groupCount = groups.count
        self.lowClassByGroup = Self.packLowClasses(groups, lowValueCount: lowValueCount)
        self.highClassByGroup = groups.map { $0.highClassOfValue }
        self.lowClassCount = groups.map { $0.lowClassCount }
        let narrow = lutForest.fitsInt64
        self.narrow = narrow
        self.wideTables = narrow ? [] : (0..<groups.count).map { tables.wide.pointer[$0] }
        let packed = Self.packNarrowTables(tables.narrow, groupCount: groups.count, narrow: narrow)
        self.narrowTables = packed.block
        self.narrowTableOffset = packed.offsets
        self.baseFixed = lutForest.baseFixed
        self.scale = lutForest.scale
    }

    /// Table cells read per high value over all groups (for the debug line).
    var scannedCellCount: Int {
        lowClassCount.enumerated().map { $0.element * highClassByGroup[$0.offset].count }.reduce(0, +)
    }

    /// The groups' low classes in one group-major block.
    static func packLowClasses(_ groups: [TreeGroup], lowValueCount: Int) -> UnsafeMutablePointer<UInt16> {
        let block = UnsafeMutablePointer<UInt16>.allocate(capacity: Swift.max(1, lowValueCount * groups.count))
        for (groupIndex, group) in groups.enumerated() {
            (block + groupIndex * lowValueCount).initialize(from: group.lowClassOfValue, count: lowValueCount)
        }
        return block
    }

    /// The narrow tables in one block and each group's offset in it. Each
    /// group's array is released as soon as it is copied, so the peak holds
    /// about one extra table.
    static func packNarrowTables(_ tables: SharedBuffer<[Int64]>, groupCount: Int,
                                 narrow: Bool) -> (block: UnsafeMutablePointer<Int64>, offsets: [Int]) {
        var offsets: [Int] = []
        var total = 0
        for group in 0..<groupCount { offsets.append(total); total += narrow ? tables.pointer[group].count : 0 }
        let block = UnsafeMutablePointer<Int64>.allocate(capacity: max(total, 1))
        if narrow {
            for group in 0..<groupCount {
                let table = tables.pointer[group]
                (block + offsets[group]).initialize(from: table, count: table.count)
                tables.pointer[group] = []
            }
        }
        return (block, offsets)
    }
}
