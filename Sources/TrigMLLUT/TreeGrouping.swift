import TrigMLCore

/// Trees tabulated together. Two low values share a group class when they
/// share a class in every tree of the group (the common refinement of the
/// trees' classes), and likewise for high values; so one (high class, low
/// class) cell determines the exit leaf of every tree of the group.
struct TreeGroup {
    var trees: [Int]
    var lowClassOfValue: [UInt16]
    var lowClassCount: Int
    var highClassOfValue: [UInt16]
    var highClassCount: Int

    init(tree: Int, low: SideLeafClasses, high: SideLeafClasses) {
        trees = [tree]
        lowClassOfValue = low.classOfValue
        lowClassCount = low.classMask.count
        highClassOfValue = high.classOfValue
        highClassCount = high.classMask.count
    }
}

extension Tabulation {
    /// The order in which trees are offered to the grouping. Trees that
    /// split on the same low-side inputs refine each other's classes least,
    /// so they are grouped together: order the trees by the set of low-side
    /// inputs they read (ties: tree order). The sum is exact, so the order
    /// changes only speed (`TRIGML_LUT_NO_SORT=1` keeps file order).
    static func groupingOrder(_ lutForest: LUTForest, inputIsLow: [Bool]) -> [Int] {
        var order = Array(0..<lutForest.treeCount)
        guard LUTTuning.sortTreesByLowInputs else { return order }
        let lowInputsRead: [[Int]] = (0..<lutForest.treeCount).map { tree in
            let start = lutForest.treeNodeStart[tree]
            var features = Set<Int>()
            for node in start..<(start + lutForest.treeNodeCount[tree]) where inputIsLow[lutForest.nodeFeature[node]] {
                features.insert(lutForest.nodeFeature[node])
            }
            return features.sorted()
        }
        order.sort { first, second in
            lowInputsRead[first] == lowInputsRead[second] ? first < second
                : lowInputsRead[first].lexicographicallyPrecedes(lowInputsRead[second])
        }
        return order
    }

    /// Greedy grouping: each tree in `order` joins the current group while
    /// the group's refined low and high class counts stay within
    /// `LUTTuning.maxClassesPerGroup` and their product within `cellLimit`
    /// (`LUTTuning.maxCellsPerGroup` unless memory is short); otherwise it
    /// starts a new group. Throws `.outOfMemory` before a refinement that
    /// would not fit.
    static func formGroups(order: [Int], low: [SideLeafClasses], high: [SideLeafClasses],
                           cellLimit: Int) throws -> [TreeGroup] {
        var refiner = ClassRefiner()
        var groups: [TreeGroup] = []
        var current: TreeGroup? = nil
        let classLimit = LUTTuning.maxClassesPerGroup
        for tree in order {
            let lowTree = low[tree], highTree = high[tree]
            if let group = current {
                // The refined class arrays of both sides, next to the group's.
                let refinedBytes = 2 * MemoryLayout<UInt16>.stride * (group.lowClassOfValue.count + group.highClassOfValue.count)
                try MemoryPreflight.require(LUTMemory.headroom + refinedBytes, for: "grouping LUT trees")
            }
            if var group = current,
               let (lowClasses, lowCount) = try refiner.refine(group.lowClassOfValue, by: lowTree.classOfValue,
                                                           classCount: lowTree.classMask.count, limit: classLimit),
               let (highClasses, highCount) = try refiner.refine(group.highClassOfValue, by: highTree.classOfValue,
                                                             classCount: highTree.classMask.count, limit: classLimit),
               lowCount * highCount <= cellLimit {
                group.trees.append(tree)
                group.lowClassOfValue = lowClasses
                group.lowClassCount = lowCount
                group.highClassOfValue = highClasses
                group.highClassCount = highCount
                current = group
                continue
            }
            if let group = current { groups.append(group) }
            current = TreeGroup(tree: tree, low: lowTree, high: highTree)
        }
        if let group = current { groups.append(group) }
        return groups
    }
}

/// The common refinement of two class assignments of the same values:
/// (class in the first, class in the second) -> new class, numbered in
/// order of first appearance.
///
/// Pairs are looked up in one dense scratch table reused by every call: an
/// entry is valid only when its stamp is the current call's, so nothing is
/// cleared between calls. Pair spaces above `denseLimit` use a dictionary.
struct ClassRefiner {
    static let denseLimit = 1 << 22
    private var pairClass: [Int32] = []
    private var pairStamp: [UInt32] = []
    private var stamp: UInt32 = 0

    /// The refined class of every value and the class count; nil when the
    /// count would exceed `limit`.
    mutating func refine(_ classes: [UInt16], by other: [UInt16], classCount otherCount: Int,
                         limit: Int) throws -> ([UInt16], Int)? {
        var refined = [UInt16](repeating: 0, count: classes.count)
        var next = 0
        var maxClass = 0
        for value in classes where Int(value) > maxClass { maxClass = Int(value) }
        let pairCount = (maxClass + 1) * otherCount
        guard pairCount <= Self.denseLimit else {
            var pairClassOf: [Int: Int] = [:]
            for value in 0..<classes.count {
                let pair = Int(classes[value]) * otherCount + Int(other[value])
                if let known = pairClassOf[pair] { refined[value] = UInt16(truncatingIfNeeded: known); continue }
                guard next < limit else { return nil }
                pairClassOf[pair] = next; refined[value] = UInt16(truncatingIfNeeded: next); next += 1
            }
            return (refined, next)
        }
        if pairClass.count < pairCount {
            let size = Swift.min(Self.denseLimit, Swift.max(pairCount, 2 * pairClass.count))
            try MemoryPreflight.require(LUTMemory.headroom + size * 8, for: "the LUT grouping's pair table")
            pairClass = [Int32](repeating: 0, count: size)
            pairStamp = [UInt32](repeating: 0, count: size)
            stamp = 0
        }
        stamp &+= 1
        if stamp == 0 {  // wrapped: clear once
            for index in 0..<pairStamp.count { pairStamp[index] = 0 }
            stamp = 1
        }
        let current = stamp
        let fits: Bool = pairClass.withUnsafeMutableBufferPointer { classOfPair in
            pairStamp.withUnsafeMutableBufferPointer { stampOfPair in
                refined.withUnsafeMutableBufferPointer { refinedBuffer in
                    for value in 0..<classes.count {
                        let pair = Int(classes[value]) * otherCount + Int(other[value])
                        if stampOfPair[pair] != current {
                            guard next < limit else { return false }
                            stampOfPair[pair] = current
                            classOfPair[pair] = Int32(next)
                            next += 1
                        }
                        refinedBuffer[value] = UInt16(truncatingIfNeeded: classOfPair[pair])
                    }
                    return true
                }
            }
        }
        return fits ? (refined, next) : nil
    }
}
