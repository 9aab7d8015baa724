import TrigMLCore

extension Tabulation {
    /// Every group's table, built in parallel: into `narrowBlock` at
    /// `offsets[group]` when the forest's sums fit in Int64
    /// (`LUTForest.fitsInt64`, `narrowBlock` non-nil), else into one Int128
    /// array per group (returned; the memory was checked by the caller).
    static func groupTables(_ groups: [TreeGroup], _ lutForest: LUTForest,
                            low: [SideLeafClasses], high: [SideLeafClasses],
                            narrowBlock: CheckedBuffer<Int64>?, offsets: [Int], threads: Int) throws -> [[Int128]] {
        if let narrowBlock {
            Parallel.forEach(groups.count, threads: threads) { groupIndex in
                groupTable(groups[groupIndex], lutForest, low: low, high: high,
                           into: narrowBlock.pointer + offsets[groupIndex], zero: Int64(0)) { Int64(truncatingIfNeeded: $0) }
            }
            return []
        }
        let wideTables = try CheckedBuffer<[Int128]>(count: groups.count, initial: [], what: "the LUT table list")
        Parallel.forEach(groups.count, threads: threads) { groupIndex in
            let group = groups[groupIndex]
            var table = [Int128](repeating: 0, count: group.lowClassCount * group.highClassCount)
            table.withUnsafeMutableBufferPointer { tableBuffer in
                guard let tableBase = tableBuffer.baseAddress else { return }
                groupTable(group, lutForest, low: low, high: high, into: tableBase, zero: Int128(0)) { $0 }
            }
            wideTables[groupIndex] = table
        }
        return (0..<groups.count).map { wideTables[$0] }
    }

    /// The group's exact partial sum for every (high class, low class),
    /// high-major, added to the zeroed `tableBase[highClass * group.lowClassCount + lowClass]`.
    ///
    /// Every value of a group class has the same class in each tree of the
    /// group (`TreeGroup`), so the first value of the class (its
    /// representative) gives each tree's class. Per tree, the leaf value of
    /// every (tree low class, tree high class) is computed once from the
    /// masks, ctz(lowMask & highMask), then added to each cell. The leaves
    /// are fixed-point integers (`LUTForest`), so the sums are exact; a
    /// narrow table's partial sums fit in Int64 because the whole sum's
    /// bound does (`LUTForest.fitsInt64`).
    static func groupTable<Sum: FixedWidthInteger>(_ group: TreeGroup, _ lutForest: LUTForest,
                                                   low: [SideLeafClasses], high: [SideLeafClasses],
                                                   into tableBase: UnsafeMutablePointer<Sum>,
                                                   zero: Sum, _ convert: (Int128) -> Sum) {
        let lowRepresentative = representatives(group.lowClassOfValue, classCount: group.lowClassCount)
        let highRepresentative = representatives(group.highClassOfValue, classCount: group.highClassCount)
        let lowCount = group.lowClassCount, highCount = group.highClassCount
        for tree in group.trees {
            let leafStart = lutForest.treeLeafStart[tree]
            let lowMasks = low[tree].classMask, highMasks = high[tree].classMask
            // Leaf value per (tree low class, tree high class), row-major by low class.
            var leafValue = [Sum](repeating: zero, count: lowMasks.count * highMasks.count)
            for (lowIndex, lowMask) in lowMasks.enumerated() {
                for (highIndex, highMask) in highMasks.enumerated() {
                    leafValue[lowIndex * highMasks.count + highIndex] =
                        convert(lutForest.leafFixed[leafStart + (lowMask & highMask).trailingZeroBitCount])
                }
            }
            let treeLowClasses = low[tree].classOfValue, treeHighClasses = high[tree].classOfValue
            let leafRowOfLowClass = lowRepresentative.map { Int(treeLowClasses[$0]) * highMasks.count }
            leafValue.withUnsafeBufferPointer { leafBuffer in
                leafRowOfLowClass.withUnsafeBufferPointer { leafRow in
                    for highClass in 0..<highCount {
                        let treeHighClass = Int(treeHighClasses[highRepresentative[highClass]])
                        let row = tableBase + highClass * lowCount
                        for lowClass in 0..<lowCount { row[lowClass] &+= leafBuffer[leafRow[lowClass] + treeHighClass] }
                    }
                }
            }
        }
    }

    /// The first value of every class.
    static func representatives(_ classOfValue: [UInt16], classCount: Int) -> [Int] {
        var first = [Int](repeating: -1, count: classCount)
        for value in 0..<classOfValue.count where first[Int(classOfValue[value])] < 0 { first[Int(classOfValue[value])] = value }
        return first
    }
}
