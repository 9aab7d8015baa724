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
    var lowClassByGroup: UnsafeMutablePointer<UInt16> { lowClassBlock.pointer }
    let lowClassBlock: CheckedBuffer<UInt16>
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
    var narrowTables: UnsafeMutablePointer<Int64> { narrowBlock.pointer }
    let narrowBlock: CheckedBuffer<Int64>
    let narrowTableOffset: [Int]
    /// The forest's base margin and fixed-point scale (`LUTForest`).
    let baseFixed: Int128
    let scale: Int

    /// Nil when the scheme has no split bit or a tree has too many leaf
    /// classes on a side (then the caller evaluates one address at a time).
    /// Throws `.outOfMemory` when even the smallest tables do not fit (the
    /// caller then also evaluates one address at a time); a table block
    /// that does not fit first makes the trees regroup into smaller tables
    /// (`LUTMemory.swift`).
    init?(scheme: LUTScheme, forest lutForest: LUTForest, threads: Int) throws {
        guard let splitBit = LUTGenerator.split(scheme),
              let lowFields = LUTGenerator.fieldsBelow(splitBit, in: scheme) else { return nil }
        let lowValueCount = 1 << splitBit
        let highValueCount = 1 << (scheme.addressBits - splitBit)
        let inputIsLow = LUTGenerator.inputIsLow(scheme, lowFields: lowFields)

        LUTTuning.debugPhase("start")
        try Self.requireSetupMemory(scheme, lutForest, lowValueCount: lowValueCount, highValueCount: highValueCount,
                                    threads: threads)
        let lowInputs = try Self.decodeSide(scheme, valueCount: lowValueCount, shift: 0, threads: threads)
        let highInputs = try Self.decodeSide(scheme, valueCount: highValueCount, shift: splitBit, threads: threads)
        LUTTuning.debugPhase("side features")
        guard let trees = Self.treeLeafClasses(lutForest, inputIsLow: inputIsLow,
                                               low: (lowInputs, lowValueCount), high: (highInputs, highValueCount),
                                               threads: threads) else { return nil }
        LUTTuning.debugPhase("tree masks")
        let order = Self.groupingOrder(lutForest, inputIsLow: inputIsLow)
        let narrow = lutForest.fitsInt64
        let (groups, tables) = try Self.groupsAndTables(order: order, lutForest, low: trees.low, high: trees.high,
                                                        lowValueCount: lowValueCount, narrow: narrow, threads: threads)
        LUTTuning.debugPhase("tables")

        self.scheme = scheme
        self.splitBit = splitBit
        self.lowValueCount = lowValueCount
        self.highValueCount = highValueCount
        self.groupCount = groups.count
        self.lowClassBlock = tables.lowClasses
        self.highClassByGroup = groups.map { $0.highClassOfValue }
        self.lowClassCount = groups.map { $0.lowClassCount }
        self.narrow = narrow
        self.wideTables = tables.wide
        self.narrowBlock = tables.narrow
        self.narrowTableOffset = tables.offsets
        self.baseFixed = lutForest.baseFixed
        self.scale = lutForest.scale
    }

    /// Table cells read per high value over all groups (for the debug line).
    var scannedCellCount: Int {
        lowClassCount.enumerated().map { $0.element * highClassByGroup[$0.offset].count }.reduce(0, +)
    }
}
