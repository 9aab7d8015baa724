import TrigMLCore

/// One tree seen from one side of the split. For a side value, the tree's
/// nodes on that side's inputs that the value does not go left at leave a
/// leaf mask (the AND of their keep masks, `ForestLayout`'s mask form).
/// Since AND is associative and every node reads an input of exactly one
/// side, the tree's exit leaf for an address is
/// ctz(lowMask(low value) & highMask(high value)), exactly the leaf the
/// one-address path finds. Side values with equal masks form a class.
struct SideLeafClasses {
    /// The class of every side value.
    var classOfValue: [UInt16]
    /// The leaf mask of every class, in order of first appearance.
    var classMask: [UInt32]

    static let empty = SideLeafClasses(classOfValue: [], classMask: [])
}

extension Tabulation {
    /// Most classes one tree may have on one side: class ids are 16-bit.
    static let maxClassesPerTreeSide = 65535
    /// Most (low class x high class) cells of one tree: its table of leaf
    /// values is built in full for every group it joins.
    static let maxCellsPerTree = 1 << 24

    /// The low and high leaf classes of every tree; nil when a tree exceeds
    /// `maxClassesPerTreeSide` on a side or `maxCellsPerTree`.
    static func treeLeafClasses(_ lutForest: LUTForest, inputIsLow: [Bool],
                                low: (inputs: CheckedBuffer<Float>, valueCount: Int),
                                high: (inputs: CheckedBuffer<Float>, valueCount: Int),
                                threads: Int) -> (low: [SideLeafClasses], high: [SideLeafClasses])? {
        let treeCount = lutForest.treeCount
        let lowBox = SharedBuffer<SideLeafClasses?>(count: treeCount, initial: nil)
        let highBox = SharedBuffer<SideLeafClasses?>(count: treeCount, initial: nil)
        Parallel.forEach(treeCount, threads: threads) { tree in
            lowBox.pointer[tree] = sideLeafClasses(tree: tree, lutForest, inputIsLow: inputIsLow, lowSide: true,
                                                   inputs: low.inputs.pointer, valueCount: low.valueCount)
            highBox.pointer[tree] = sideLeafClasses(tree: tree, lutForest, inputIsLow: inputIsLow, lowSide: false,
                                                    inputs: high.inputs.pointer, valueCount: high.valueCount)
        }
        var lowClasses = [SideLeafClasses](repeating: .empty, count: treeCount)
        var highClasses = lowClasses
        for tree in 0..<treeCount {
            guard let lowTree = lowBox.pointer[tree], let highTree = highBox.pointer[tree],
                  !lowTree.classMask.isEmpty, !highTree.classMask.isEmpty,
                  lowTree.classMask.count * highTree.classMask.count <= maxCellsPerTree else { return nil }
            lowClasses[tree] = lowTree
            highClasses[tree] = highTree
        }
        return (lowClasses, highClasses)
    }

    /// One tree's leaf classes on one side (`lowSide`): the mask of every
    /// side value from the tree's nodes on that side's inputs, then the
    /// distinct masks numbered in order of first appearance.
    static func sideLeafClasses(tree: Int, _ lutForest: LUTForest, inputIsLow: [Bool], lowSide: Bool,
                                inputs: UnsafeMutablePointer<Float>, valueCount: Int) -> SideLeafClasses? {
        var masks = [UInt32](repeating: .max, count: valueCount)
        let start = lutForest.treeNodeStart[tree]
        for node in start..<(start + lutForest.treeNodeCount[tree]) where inputIsLow[lutForest.nodeFeature[node]] == lowSide {
            let column = inputs + lutForest.nodeFeature[node] * valueCount
            let threshold = lutForest.nodeThreshold[node], keep = lutForest.nodeKeep[node]
            let nanLeft = lutForest.nodeNaNLeft[node]
            masks.withUnsafeMutableBufferPointer { maskBuffer in
                for value in 0..<valueCount {
                    maskBuffer[value] &= keep | LUTForest.leftMask(column[value], threshold, nanLeft)
                }
            }
        }
        return classes(of: masks)
    }

    /// Numbers the distinct masks in order of first appearance; nil beyond
    /// `maxClassesPerTreeSide`.
    static func classes(of masks: [UInt32]) -> SideLeafClasses? {
        var classOfValue = [UInt16](repeating: 0, count: masks.count)
        var classMask: [UInt32] = []
        var index = MaskIndex()
        var lastMask = masks.first.map { ~$0 } ?? 0, lastClass: UInt16 = 0
        for value in 0..<masks.count {
            let mask = masks[value]
            // Neighbouring values mostly share their mask.
            if mask == lastMask { classOfValue[value] = lastClass; continue }
            var found = index.find(mask)
            if found < 0 {
                found = Int32(classMask.count)
                guard classMask.count < maxClassesPerTreeSide else { return nil }
                classMask.append(mask)
                if 2 * classMask.count > index.capacity {
                    index.grow(rehashing: classMask)
                } else {
                    index.insert(mask, id: found)
                }
            }
            classOfValue[value] = UInt16(truncatingIfNeeded: found)
            lastMask = mask
            lastClass = classOfValue[value]
        }
        return SideLeafClasses(classOfValue: classOfValue, classMask: classMask)
    }
}

/// Leaf mask -> class id: open addressing with linear probing, kept at
/// most half full.
struct MaskIndex {
    private(set) var capacity = 64
    private var keys = [UInt32](repeating: 0, count: 64)
    private var ids = [Int32](repeating: -1, count: 64)

    private func slot(_ mask: UInt32) -> Int {
        Int(truncatingIfNeeded: (mask &* 0x9E37_79B1) >> 7) & (capacity - 1)
    }

    /// The id of `mask`, or -1.
    func find(_ mask: UInt32) -> Int32 {
        var position = slot(mask)
        while ids[position] >= 0 {
            if keys[position] == mask { return ids[position] }
            position = (position + 1) & (capacity - 1)
        }
        return -1
    }

    mutating func insert(_ mask: UInt32, id: Int32) {
        var position = slot(mask)
        while ids[position] >= 0 { position = (position + 1) & (capacity - 1) }
        keys[position] = mask
        ids[position] = id
    }

    /// Four times the capacity, holding `masks[i]` -> i.
    mutating func grow(rehashing masks: [UInt32]) {
        capacity *= 4
        keys = [UInt32](repeating: 0, count: capacity)
        ids = [Int32](repeating: -1, count: capacity)
        for (id, mask) in masks.enumerated() { insert(mask, id: Int32(id)) }
    }
}
