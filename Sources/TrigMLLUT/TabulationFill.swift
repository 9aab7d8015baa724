import TrigMLCore

extension Tabulation {
    /// Fills out[k] with the word of scheme address first + k, k < count.
    ///
    /// Work is split into blocks of `LUTTuning.fillBlockSize` low values; a
    /// block's class ids (group-major) stay in cache while every high value
    /// of the range is visited, and for one (high value, group) the table
    /// row is read at the block's class ids: one L1/L2 load and one add per
    /// group and address.
    func fill(first: UInt64, count: Int, conversion: PtConversion, out: UnsafeMutablePointer<UInt16>, threads: Int) {
        // The range as scheme-local addresses [rangeStart, rangeEnd).
        let rangeStart = Int(first - scheme.firstAddress)
        let rangeEnd = rangeStart + count
        let blockSize = Swift.min(lowValueCount, LUTTuning.fillBlockSize)
        let highRange = (rangeStart >> splitBit)...((rangeEnd - 1) >> splitBit)
        // Only the low blocks the range touches.
        let oneRow = highRange.count == 1
        let firstBlock = oneRow ? (rangeStart & (lowValueCount - 1)) / blockSize : 0
        let lastBlock = oneRow ? ((rangeEnd - 1) & (lowValueCount - 1)) / blockSize : (lowValueCount - 1) / blockSize
        let range = rangeStart..<rangeEnd
        Parallel.forEach(lastBlock - firstBlock + 1, threads: threads) { item in
            let block = BlockOfLowValues(start: (firstBlock + item) * blockSize, size: blockSize)
            if self.narrow {
                self.fillNarrow(block, highRange: highRange, range: range, conversion, out)
            } else {
                self.fillWide(block, highRange: highRange, range: range, conversion, out)
            }
        }
    }

    /// Low values [start, start + size) of every high value.
    struct BlockOfLowValues {
        let start: Int
        let size: Int
    }

    /// The part of a block inside the range for one high value: block
    /// indices [first, end), whose words go to `out + outOffset + index`.
    struct RowPart {
        let first: Int
        let end: Int
        let outOffset: Int
    }

    /// Nil when the block's addresses of `highValue` miss the range.
    func rowPart(_ block: BlockOfLowValues, highValue: Int, range: Range<Int>) -> RowPart? {
        let rowStart = highValue << splitBit
        let partStart = Swift.max(range.lowerBound, rowStart + block.start)
        let partEnd = Swift.min(range.upperBound, rowStart + Swift.min(block.start + block.size, lowValueCount))
        if partStart >= partEnd { return nil }
        let first = partStart - rowStart - block.start
        return RowPart(first: first, end: partEnd - rowStart - block.start, outOffset: (partStart - range.lowerBound) - first)
    }

    /// `fill` for one block with Int64 tables.
    private func fillNarrow(_ block: BlockOfLowValues, highRange: ClosedRange<Int>, range: Range<Int>,
                            _ conversion: PtConversion, _ out: UnsafeMutablePointer<UInt16>) {
        let base64 = Int64(truncatingIfNeeded: baseFixed)
        // Float(Int64) is correctly rounded unless the result is subnormal.
        let int64RoundingIsExact = scale >= -126
        let sums = UnsafeMutablePointer<Int64>.allocate(capacity: block.size)
        defer { sums.deallocate() }
        for highValue in highRange {
            guard let part = rowPart(block, highValue: highValue, range: range) else { continue }
            let indices = part.first..<part.end
            for index in indices { sums[index] = base64 }
            // Eight (then four, then one) groups per pass: one sum
            // load/store per eight table reads.
            @inline(__always) func rowOf(_ group: Int) -> UnsafePointer<Int64> {
                UnsafePointer(narrowTables + narrowTableOffset[group] + Int(highClassByGroup[group][highValue]) * lowClassCount[group])
            }
            @inline(__always) func classesOf(_ group: Int) -> UnsafeMutablePointer<UInt16> {
                lowClassByGroup + group * lowValueCount + block.start
            }
            var group = 0
            while group + 8 <= groupCount {
                let row0 = rowOf(group), row1 = rowOf(group + 1), row2 = rowOf(group + 2), row3 = rowOf(group + 3)
                let row4 = rowOf(group + 4), row5 = rowOf(group + 5), row6 = rowOf(group + 6), row7 = rowOf(group + 7)
                let ids0 = classesOf(group), ids1 = ids0 + lowValueCount, ids2 = ids1 + lowValueCount, ids3 = ids2 + lowValueCount
                let ids4 = ids3 + lowValueCount, ids5 = ids4 + lowValueCount, ids6 = ids5 + lowValueCount, ids7 = ids6 + lowValueCount
                for index in indices {
                    let firstFour = (row0[Int(ids0[index])] &+ row1[Int(ids1[index])]) &+ (row2[Int(ids2[index])] &+ row3[Int(ids3[index])])
                    let lastFour = (row4[Int(ids4[index])] &+ row5[Int(ids5[index])]) &+ (row6[Int(ids6[index])] &+ row7[Int(ids7[index])])
                    sums[index] &+= firstFour &+ lastFour
                }
                group += 8
            }
            while group + 4 <= groupCount {
                let row0 = rowOf(group), row1 = rowOf(group + 1), row2 = rowOf(group + 2), row3 = rowOf(group + 3)
                let ids0 = classesOf(group), ids1 = ids0 + lowValueCount, ids2 = ids1 + lowValueCount, ids3 = ids2 + lowValueCount
                for index in indices {
                    sums[index] &+= (row0[Int(ids0[index])] &+ row1[Int(ids1[index])]) &+ (row2[Int(ids2[index])] &+ row3[Int(ids3[index])])
                }
                group += 4
            }
            while group < groupCount {
                let row = rowOf(group)
                let ids = classesOf(group)
                for index in indices { sums[index] &+= row[Int(ids[index])] }
                group += 1
            }
            let words = out + part.outOffset
            if int64RoundingIsExact {
                for index in indices { words[index] = conversion.word(roundToFloat64(sums[index], scale: scale)) }
            } else {
                for index in indices { words[index] = conversion.word(roundToFloat(Int128(sums[index]), scale: scale)) }
            }
        }
    }

    /// `fill` for one block with Int128 tables. Wrapping adds, as in
    /// `LUTForest.sum`: every partial sum fits in Int128 by the choice of
    /// scale, so they are the exact sums without a per-add overflow check;
    /// two groups per pass halve the sum loads and stores.
    private func fillWide(_ block: BlockOfLowValues, highRange: ClosedRange<Int>, range: Range<Int>,
                          _ conversion: PtConversion, _ out: UnsafeMutablePointer<UInt16>) {
        let sums = UnsafeMutablePointer<Int128>.allocate(capacity: block.size)
        defer { sums.deallocate() }
        for highValue in highRange {
            guard let part = rowPart(block, highValue: highValue, range: range) else { continue }
            let indices = part.first..<part.end
            for index in indices { sums[index] = baseFixed }
            @inline(__always) func rowOffset(_ group: Int) -> Int {
                Int(highClassByGroup[group][highValue]) * lowClassCount[group]
            }
            @inline(__always) func classesOf(_ group: Int) -> UnsafeMutablePointer<UInt16> {
                lowClassByGroup + group * lowValueCount + block.start
            }
            var group = 0
            while group + 2 <= groupCount {
                let ids0 = classesOf(group), ids1 = classesOf(group + 1)
                let offset0 = rowOffset(group), offset1 = rowOffset(group + 1)
                wideTables[group].withUnsafeBufferPointer { table0 in
                    wideTables[group + 1].withUnsafeBufferPointer { table1 in
                        let row0 = table0.baseAddress! + offset0, row1 = table1.baseAddress! + offset1
                        for index in indices { sums[index] &+= row0[Int(ids0[index])] &+ row1[Int(ids1[index])] }
                    }
                }
                group += 2
            }
            if group < groupCount {
                let ids = classesOf(group), offset = rowOffset(group)
                wideTables[group].withUnsafeBufferPointer { table in
                    let row = table.baseAddress! + offset
                    for index in indices { sums[index] &+= row[Int(ids[index])] }
                }
            }
            let words = out + part.outOffset
            for index in indices { words[index] = conversion.word(roundToFloat(sums[index], scale: scale)) }
        }
    }
}
