import TrigMLCore
import TrigMLForest

/// LUT generation: decode -> forest -> conversion for every address of a
/// range, with the summation rule of `LUTForest` on every path.
///
/// Two paths give the same words (tested entry for entry):
///
/// - **one address at a time** (`evaluate`): decode the address, find each
///   tree's leaf, add the fixed-point leaves, round once, convert;
/// - **tabulated** (`generate` on large ranges): the address bits are cut at
///   a bit `s` such that every BDT input depends only on fields below `s`
///   ("low": for EMTF the dPhi fields and signs) or only on fields above
///   ("high": theta, bends, RPC, FR, dTheta). For each tree, the nodes on
///   low inputs give a leaf mask KL(low) and the nodes on high inputs
///   KH(high); the tree's exit leaf is ctz(KL & KH) (the mask rule of
///   `ForestLayout`). Trees are grouped greedily; within a group the low
///   values fall into classes (equal KL for every tree of the group), and
///   likewise the high values, and the group's exact partial sum is a
///   table over (high class, low class). An address's output is then the
///   base plus one table entry per group. Because the fixed-point sum is
///   exact, grouping and order cannot change any bit.
package enum LUTGenerator {
    /// Largest low/high class counts of a group, and table cells per group.
    static let maxClassesCombined: Int = envInt("TRIGML_LUT_MAX_CLASSES") ?? 8192
    static let maxClassesSingle = 65535
    static let maxCells: Int = envInt("TRIGML_LUT_MAX_CELLS") ?? (1 << 20)

    /// Checks that scheme and forest fit together and the range is inside
    /// the scheme.
    static func check(_ scheme: LUTScheme, _ forest: LUTForest, first: UInt64, count: UInt64) throws {
        try check(scheme, featureCount: forest.featureCount, origin: forest.origin, first: first, count: count)
    }

    static func check(_ scheme: LUTScheme, featureCount: Int, origin: String, first: UInt64, count: UInt64) throws {
        guard scheme.featureCount == featureCount else {
            throw TMLError.shape("scheme '\(scheme.name)' decodes \(scheme.featureCount) inputs but the forest (\(origin)) takes \(featureCount)")
        }
        let end = scheme.firstAddress + (scheme.addressCount - 1)
        if count == 0 { return }
        let (last, overflow) = first.addingReportingOverflow(count - 1)
        guard first >= scheme.firstAddress, !overflow, last <= end else {
            throw TMLError.invalid("range [\(first), \(first) + \(count)) is outside scheme '\(scheme.name)' range [\(scheme.firstAddress), \(end)]")
        }
    }

    /// The one-address-at-a-time path, for any addresses of the scheme.
    /// `words` and `margins` (either may be nil) receive the stored word and
    /// the rounded BDT output.
    package static func evaluate(scheme: LUTScheme, forest lf: LUTForest, conversion: PtConversion,
                                addresses: UnsafeBufferPointer<UInt64>,
                                words: UnsafeMutablePointer<UInt16>?, margins: UnsafeMutablePointer<Float>?,
                                threads: Int) throws {
        try conversion.validate()
        guard scheme.featureCount == lf.featureCount else {
            throw TMLError.shape("scheme '\(scheme.name)' decodes \(scheme.featureCount) inputs but the forest (\(lf.origin)) takes \(lf.featureCount)")
        }
        for (i, a) in addresses.enumerated() where !scheme.contains(a) {
            throw TMLError.invalid("address[\(i)] = \(a) is outside scheme '\(scheme.name)'")
        }
        guard let base = addresses.baseAddress else { return }
        oneAddressAtATime(scheme, lf, count: addresses.count, threads: threads, address: { base[$0] }) { i, out in
            margins?[i] = out
            words?[i] = conversion.word(out)
        }
    }

    /// The one-address path over `count` addresses, in chunks of 4096 on
    /// `threads` threads: entry i is `address(i)`, decoded, evaluated and
    /// rounded (`LUTForest` rule), then handed to `store(i, output)`.
    static func oneAddressAtATime(_ scheme: LUTScheme, _ lf: LUTForest, count n: Int, threads: Int,
                                  address: @escaping (Int) -> UInt64, store: @escaping (Int, Float) -> Void) {
        let chunk = 4096
        let chunks = (n + chunk - 1) / chunk
        Parallel.forEach(chunks, threads: threads) { c in
            var decoder = LUTScheme.Decoder(scheme)
            var x = [Float](repeating: 0, count: scheme.featureCount)
            x.withUnsafeMutableBufferPointer { xb in
                guard let xp = xb.baseAddress else { return }
                for i in (c * chunk)..<Swift.min(n, (c + 1) * chunk) {
                    decoder.decode(address(i), into: xp)
                    store(i, lf.output(lf.sum(xp)))
                }
            }
        }
    }

    /// `out[k]` = the word of address first + k, k < count.
    package static func generate(scheme: LUTScheme, forest lf: LUTForest, conversion: PtConversion,
                                first: UInt64, count: UInt64, out: UnsafeMutablePointer<UInt16>,
                                threads: Int, allowTabulation: Bool = true) throws {
        try conversion.validate()
        try check(scheme, lf, first: first, count: count)
        if count == 0 { return }
        let n = try checkedCount(count, elementBytes: 2, what: "count")
        // Tabulate when the range is at least as large as the two sides'
        // domains (the set-up cost is about one evaluation per side value).
        let worthIt: Bool = {
            guard let cut = split(scheme) else { return false }
            let domains = (UInt64(1) << UInt64(cut)) + (UInt64(1) << UInt64(scheme.addressBits - cut))
            return count >= Swift.max(domains, 4096)
        }()
        if allowTabulation, worthIt, lf.allMask {
            let t0 = monotonicSeconds()
            if let tab = try Tabulation(scheme: scheme, forest: lf, threads: threads) {
                let t1 = monotonicSeconds()
                tab.run(first: first, count: n, conversion: conversion, out: out, threads: threads)
                if getenv("TRIGML_LUT_DEBUG") != nil {
                    let t2 = monotonicSeconds()
                    let cells = tab.lowCount.enumerated().map { $0.element * tab.highClass[$0.offset].count }.reduce(0, +)
                    fputs("trigml lut: split bit \(tab.s), \(tab.groupCount) groups, \(cells) table cells scanned, setup \(t1 - t0) s, fill \(t2 - t1) s\n", stderr)
                }
                return
            }
        }
        // One address at a time.
        oneAddressAtATime(scheme, lf, count: n, threads: threads, address: { first + UInt64($0) }) { k, output in
            out[k] = conversion.word(output)
        }
    }

    /// The cut bit: every field and every input entirely below or above it,
    /// as balanced as possible; nil when none exists (then the whole
    /// scheme is "low" if small enough).
    static func split(_ scheme: LUTScheme) -> Int? {
        let k = scheme.addressBits
        var best: Int? = nil
        let supports = scheme.inputSupport
        for s in 1..<max(k, 1) {
            var lowFields: UInt64 = 0
            var ok = true
            for (i, f) in scheme.fields.enumerated() {
                if f.offset + f.width <= s { lowFields |= UInt64(1) << UInt64(i) }
                else if f.offset < s { ok = false; break }
            }
            if !ok { continue }
            for sup in supports where sup & lowFields != 0 && sup & ~lowFields != 0 { ok = false; break }
            if !ok { continue }
            if s > 22 || k - s > 22 { continue }
            if let b = best {
                if abs(2 * s - k) < abs(2 * b - k) { best = s }
            } else { best = s }
        }
        if best == nil && k <= 20 { return k }
        return best
    }
}

/// The tabulated form of one (scheme, forest) pair (see `LUTGenerator`).
final class Tabulation: @unchecked Sendable {
    let scheme: LUTScheme
    let s: Int
    let nLow: Int
    let nHigh: Int
    let groupCount: Int
    /// classesGM[g * nLow + l]: low class of l in group g (group-major).
    let classesGM: UnsafeMutablePointer<UInt16>
    /// highClass[g][h]
    let highClass: [[UInt16]]
    /// Per group: class counts and the table (high-major).
    let lowCount: [Int]
    let tables128: [[Int128]]
    let base: Int128
    let scale: Int
    let narrow: Bool
    /// The narrow tables in one block (group g at flatOffset[g]).
    let flat64: UnsafeMutablePointer<Int64>
    let flatOffset: [Int]

    deinit { flat64.deallocate(); classesGM.deallocate() }

    /// Per-tree compressed masks of one side.
    struct SideMasks {
        var ids: [UInt16]
        var masks: [UInt32]
    }

    init?(scheme: LUTScheme, forest lf: LUTForest, threads: Int) throws {
        guard let s = LUTGenerator.split(scheme) else { return nil }
        self.scheme = scheme
        self.s = s
        let k = scheme.addressBits
        let nLow = 1 << s, nHigh = 1 << (k - s)
        self.nLow = nLow
        self.nHigh = nHigh
        let supports = scheme.inputSupport
        var lowFields: UInt64 = 0
        for (i, f) in scheme.fields.enumerated() where f.offset + f.width <= s { lowFields |= UInt64(1) << UInt64(i) }
        let nF = scheme.featureCount
        let isLow = supports.map { $0 != 0 && $0 & ~lowFields == 0 }

        // Input values over each side's domain, feature-major.
        func sideFeatures(_ n: Int, shift: Int) -> SharedBuffer<Float> {
            let buf = SharedBuffer<Float>(count: nF * n, initial: 0)
            let chunk = 4096
            Parallel.forEach((n + chunk - 1) / chunk, threads: threads) { c in
                var decoder = LUTScheme.Decoder(scheme)
                var x = [Float](repeating: 0, count: nF)
                var raw = [Int](repeating: 0, count: scheme.fields.count)
                for v in (c * chunk)..<Swift.min(n, (c + 1) * chunk) {
                    let local = UInt64(v) << UInt64(shift)
                    for (i, f) in scheme.fields.enumerated() {
                        raw[i] = Int(truncatingIfNeeded: (local >> UInt64(f.offset)) & ((UInt64(1) << UInt64(f.width)) - 1))
                    }
                    x.withUnsafeMutableBufferPointer { xb in
                        guard let xp = xb.baseAddress else { return }
                        decoder.decode(raw: raw, into: xp)
                    }
                    for j in 0..<nF { buf.pointer[j * n + v] = x[j] }
                }
            }
            return buf
        }
        debugPhase("start")
        let lowX = sideFeatures(nLow, shift: 0)
        let highX = sideFeatures(nHigh, shift: s)

        debugPhase("side features")
        // Per tree, per side: the mask of every value, compressed to ids.
        let T = lf.treeCount
        let results = SharedBuffer<Int>(count: 2 * T, initial: 0)  // distinct counts; -1 = too many
        var lowMasks = [SideMasks](repeating: SideMasks(ids: [], masks: []), count: T)
        var highMasks = lowMasks
        let lowBox = SharedBuffer<SideMasks>(count: T, initial: SideMasks(ids: [], masks: []))
        let highBox = SharedBuffer<SideMasks>(count: T, initial: SideMasks(ids: [], masks: []))
        func sideMasks(_ t: Int, _ x: UnsafeMutablePointer<Float>, _ n: Int, _ low: Bool) -> SideMasks? {
            var m = [UInt32](repeating: .max, count: n)
            let start = lf.treeNodeStart[t]
            for k in start..<(start + lf.treeNodeCount[t]) where isLow[lf.nodeFeature[k]] == low {
                let col = x + lf.nodeFeature[k] * n
                let thr = lf.nodeThreshold[k], keep = lf.nodeKeep[k], nanLeft = lf.nodeNaNLeft[k]
                m.withUnsafeMutableBufferPointer { mb in
                    for v in 0..<n { mb[v] &= LUTForest.goesLeft(col[v], thr, nanLeft) ? UInt32.max : keep }
                }
            }
            // Compress with a small open-addressing table.
            var ids = [UInt16](repeating: 0, count: n)
            var masks: [UInt32] = []
            var cap = 64
            var keys = [UInt32](repeating: 0, count: cap), vals = [Int32](repeating: -1, count: cap)
            func insert(_ key: UInt32, _ id: Int32) {
                var h = Int(truncatingIfNeeded: (key &* 0x9E37_79B1) >> 7) & (cap - 1)
                while vals[h] >= 0 { h = (h + 1) & (cap - 1) }
                keys[h] = key; vals[h] = id
            }
            var lastKey = m.first.map { ~$0 } ?? 0, lastId: UInt16 = 0
            for v in 0..<n {
                let key = m[v]
                // Neighbouring values mostly share their mask.
                if key == lastKey { ids[v] = lastId; continue }
                var h = Int(truncatingIfNeeded: (key &* 0x9E37_79B1) >> 7) & (cap - 1)
                var found: Int32 = -1
                while vals[h] >= 0 {
                    if keys[h] == key { found = vals[h]; break }
                    h = (h + 1) & (cap - 1)
                }
                if found < 0 {
                    found = Int32(masks.count)
                    guard masks.count < LUTGenerator.maxClassesSingle else { return nil }
                    masks.append(key)
                    if 2 * masks.count > cap {
                        cap *= 4
                        keys = [UInt32](repeating: 0, count: cap); vals = [Int32](repeating: -1, count: cap)
                        for (i, mk) in masks.enumerated() { insert(mk, Int32(i)) }
                    } else {
                        insert(key, found)
                    }
                }
                ids[v] = UInt16(truncatingIfNeeded: found)
                lastKey = key
                lastId = ids[v]
            }
            return SideMasks(ids: ids, masks: masks)
        }
        Parallel.forEach(T, threads: threads) { t in
            if let lm = sideMasks(t, lowX.pointer, nLow, true) { lowBox.pointer[t] = lm; results.pointer[2 * t] = lm.masks.count }
            else { results.pointer[2 * t] = -1 }
            if let hm = sideMasks(t, highX.pointer, nHigh, false) { highBox.pointer[t] = hm; results.pointer[2 * t + 1] = hm.masks.count }
            else { results.pointer[2 * t + 1] = -1 }
        }
        for t in 0..<T {
            guard results.pointer[2 * t] > 0, results.pointer[2 * t + 1] > 0 else { return nil }
            lowMasks[t] = lowBox.pointer[t]
            highMasks[t] = highBox.pointer[t]
            guard lowMasks[t].masks.count * highMasks[t].masks.count <= 1 << 24 else { return nil }
        }

        // Greedy grouping on (group class, tree id) pairs.
        struct Group { var trees: [Int]; var low: [UInt16]; var lowCount: Int; var high: [UInt16]; var highCount: Int }
        debugPhase("tree masks")
        // Pair (group class, tree class) -> new class, through one dense
        // scratch table reused by every call: an entry is valid only when its
        // stamp is the current call's, so nothing is cleared between calls.
        let denseLimit = 1 << 22
        var mapValue = [Int32](repeating: 0, count: 0)
        var mapStamp = [UInt32](repeating: 0, count: 0)
        var stamp: UInt32 = 0
        func combine(_ a: [UInt16], _ b: [UInt16], _ bCount: Int, limit: Int) -> ([UInt16], Int)? {
            var out = [UInt16](repeating: 0, count: a.count)
            var next = 0
            var maxA = 0
            for v in a where Int(v) > maxA { maxA = Int(v) }
            let cells = (maxA + 1) * bCount
            if cells <= denseLimit {
                if mapValue.count < cells {
                    let size = Swift.min(denseLimit, Swift.max(cells, 2 * mapValue.count))
                    mapValue = [Int32](repeating: 0, count: size)
                    mapStamp = [UInt32](repeating: 0, count: size)
                    stamp = 0
                }
                stamp &+= 1
                if stamp == 0 {  // wrapped: clear once
                    for i in 0..<mapStamp.count { mapStamp[i] = 0 }
                    stamp = 1
                }
                let current = stamp
                let ok: Bool = mapValue.withUnsafeMutableBufferPointer { mv in
                    mapStamp.withUnsafeMutableBufferPointer { ms in
                        out.withUnsafeMutableBufferPointer { ob in
                            for v in 0..<a.count {
                                let key = Int(a[v]) * bCount + Int(b[v])
                                if ms[key] != current {
                                    guard next < limit else { return false }
                                    ms[key] = current
                                    mv[key] = Int32(next)
                                    next += 1
                                }
                                ob[v] = UInt16(truncatingIfNeeded: mv[key])
                            }
                            return true
                        }
                    }
                }
                return ok ? (out, next) : nil
            }
            var dict: [Int: Int] = [:]
            for v in 0..<a.count {
                let key = Int(a[v]) * bCount + Int(b[v])
                if let id = dict[key] { out[v] = UInt16(truncatingIfNeeded: id); continue }
                guard next < limit else { return nil }
                dict[key] = next; out[v] = UInt16(truncatingIfNeeded: next); next += 1
            }
            return (out, next)
        }
        var groups: [Group] = []
        var current: Group? = nil
        // Trees that split on the same low-side inputs refine each other's
        // classes least, so they are grouped together: order the trees by
        // the set of low-side inputs they read (ties: tree order). The sum is
        // exact, so the order changes only speed.
        var order = Array(0..<T)
        if envInt("TRIGML_LUT_NO_SORT") == nil {
            let keys: [[Int]] = (0..<T).map { t in
                let st = lf.treeNodeStart[t]
                var fs = Set<Int>()
                for k in st..<(st + lf.treeNodeCount[t]) where isLow[lf.nodeFeature[k]] { fs.insert(lf.nodeFeature[k]) }
                return fs.sorted()
            }
            order.sort { a, b in keys[a] == keys[b] ? a < b : keys[a].lexicographicallyPrecedes(keys[b]) }
        }
        for t in order {
            let lm = lowMasks[t], hm = highMasks[t]
            if var g = current,
               let (nl, nlc) = combine(g.low, lm.ids, lm.masks.count, limit: LUTGenerator.maxClassesCombined),
               let (nh, nhc) = combine(g.high, hm.ids, hm.masks.count, limit: LUTGenerator.maxClassesCombined),
               nlc * nhc <= LUTGenerator.maxCells {
                g.trees.append(t); g.low = nl; g.lowCount = nlc; g.high = nh; g.highCount = nhc
                current = g
                continue
            }
            if let g = current { groups.append(g) }
            current = Group(trees: [t], low: lm.ids, lowCount: lm.masks.count, high: hm.ids, highCount: hm.masks.count)
        }
        if let g = current { groups.append(g) }
        // Free the per-tree id arrays (keep the mask lists).
        let G = groups.count
        self.groupCount = G

        debugPhase("grouping")
        // Tables: exact partial sums per (high class, low class).
        narrow = lf.fitsInt64
        let t64 = SharedBuffer<[Int64]>(count: G, initial: [])
        let t128 = SharedBuffer<[Int128]>(count: G, initial: [])
        let lowMaskList = lowMasks.map { $0.masks }
        let highMaskList = highMasks.map { $0.masks }
        let lowIds = lowMasks.map { $0.ids }
        let highIds = highMasks.map { $0.ids }
        let narrowCopy = narrow
        Parallel.forEach(G, threads: threads) { gi in
            let g = groups[gi]
            // Representative per class -> per-tree mask id.
            var repLow = [Int](repeating: -1, count: g.lowCount)
            for v in 0..<nLow where repLow[Int(g.low[v])] < 0 { repLow[Int(g.low[v])] = v }
            var repHigh = [Int](repeating: -1, count: g.highCount)
            for v in 0..<nHigh where repHigh[Int(g.high[v])] < 0 { repHigh[Int(g.high[v])] = v }
            // Per tree: value of (its low class id, its high class id), then
            // the group table adds, per (high class, low class), each tree's
            // value at the classes' ids.
            let aCount = g.lowCount, bCount = g.highCount
            func build<A: FixedWidthInteger>(_ zero: A, _ convert: (Int128) -> A) -> [A] {
                var table = [A](repeating: zero, count: aCount * bCount)
                table.withUnsafeMutableBufferPointer { tb in
                    guard let tableBase = tb.baseAddress else { return }
                    for t in g.trees {
                        let leafStart = lf.treeLeafStart[t]
                        let lMasks = lowMaskList[t], hMasks = highMaskList[t]
                        var value = [A](repeating: zero, count: lMasks.count * hMasks.count)
                        for (i, lm) in lMasks.enumerated() {
                            for (j, hm) in hMasks.enumerated() {
                                value[i * hMasks.count + j] = convert(lf.leafFixed[leafStart + (lm & hm).trailingZeroBitCount])
                            }
                        }
                        let lowId = repLow.map { Int(lowIds[t][$0]) * hMasks.count }
                        value.withUnsafeBufferPointer { vb in
                            lowId.withUnsafeBufferPointer { li in
                                for ch in 0..<bCount {
                                    let j = Int(highIds[t][repHigh[ch]])
                                    let row = tableBase + ch * aCount
                                    for cl in 0..<aCount { row[cl] &+= vb[li[cl] + j] }
                                }
                            }
                        }
                    }
                }
                return table
            }
            if narrowCopy {
                t64.pointer[gi] = build(Int64(0)) { Int64(truncatingIfNeeded: $0) }
            } else {
                t128.pointer[gi] = build(Int128(0)) { $0 }
            }
        }
        debugPhase("tables")
        let classes = UnsafeMutablePointer<UInt16>.allocate(capacity: Swift.max(1, nLow * G))
        for (gi, g) in groups.enumerated() {
            (classes + gi * nLow).initialize(from: g.low, count: nLow)
        }
        self.classesGM = classes
        self.highClass = groups.map { $0.high }
        self.lowCount = groups.map { $0.lowCount }
        // Narrow tables go into one block; each group's array is released
        // as soon as it is copied, so the peak holds about one extra table.
        self.tables128 = narrow ? [] : (0..<G).map { t128.pointer[$0] }
        self.base = lf.baseFixed
        self.scale = lf.scale
        var offsets: [Int] = []
        var total = 0
        for g in 0..<G { offsets.append(total); total += narrow ? t64.pointer[g].count : 0 }
        let flat = UnsafeMutablePointer<Int64>.allocate(capacity: max(total, 1))
        if narrow {
            for g in 0..<G {
                let t = t64.pointer[g]
                (flat + offsets[g]).initialize(from: t, count: t.count)
                t64.pointer[g] = []
            }
        }
        self.flat64 = flat
        self.flatOffset = offsets
    }

    /// Fills out[k] for scheme address first + k, k < count.
    ///
    /// Work is split into blocks of `block` low values; a block's class ids
    /// (group-major) stay in cache while every high value of the range is
    /// visited, and for one (high value, group) the table row is read at
    /// the block's class ids: one L1/L2 load and one add per group and
    /// address.
    func run(first: UInt64, count: Int, conversion: PtConversion, out: UnsafeMutablePointer<UInt16>, threads: Int) {
        let lo = Int(first - scheme.firstAddress)
        let hi = lo + count
        let block = Swift.min(nLow, Self.block)
        let hFirst = lo >> s, hLast = (hi - 1) >> s
        // Only the low blocks the range touches.
        let lFirst = hFirst == hLast ? (lo & (nLow - 1)) / block : 0
        let lLast = hFirst == hLast ? ((hi - 1) & (nLow - 1)) / block : (nLow - 1) / block
        let items = lLast - lFirst + 1
        Parallel.forEach(items, threads: threads) { item in
            let b = lFirst + item
            if self.narrow {
                self.fill64(block: b, size: block, hFirst: hFirst, hLast: hLast, lo: lo, hi: hi, conversion, out)
            } else {
                self.fill128(block: b, size: block, hFirst: hFirst, hLast: hLast, lo: lo, hi: hi, conversion, out)
            }
        }
    }

    static let block: Int = envInt("TRIGML_LUT_BLOCK") ?? 65536

    private func fill64(block b: Int, size: Int, hFirst: Int, hLast: Int, lo: Int, hi: Int,
                        _ conv: PtConversion, _ out: UnsafeMutablePointer<UInt16>) {
        let G = groupCount
        let base64 = Int64(truncatingIfNeeded: base)
        let useFast = scale >= -126
        let acc = UnsafeMutablePointer<Int64>.allocate(capacity: size)
        defer { acc.deallocate() }
        let l0 = b * size
        for h in hFirst...hLast {
            // This row's part of the block, as local addresses [a0, a1).
            let rowStart = h << s
            let a0 = Swift.max(lo, rowStart + l0), a1 = Swift.min(hi, rowStart + Swift.min(l0 + size, nLow))
            if a0 >= a1 { continue }
            let i0 = a0 - rowStart - l0, i1 = a1 - rowStart - l0
            for i in i0..<i1 { acc[i] = base64 }
            // Eight (then four, then one) groups per pass: one accumulator
            // load/store per eight lookups.
            @inline(__always) func rowOf(_ g: Int) -> UnsafePointer<Int64> {
                UnsafePointer(flat64 + flatOffset[g] + Int(highClass[g][h]) * lowCount[g])
            }
            var g = 0
            while g + 8 <= G {
                let r0 = rowOf(g), r1 = rowOf(g + 1), r2 = rowOf(g + 2), r3 = rowOf(g + 3)
                let r4 = rowOf(g + 4), r5 = rowOf(g + 5), r6 = rowOf(g + 6), r7 = rowOf(g + 7)
                let c0 = classesGM + g * nLow + l0, c1 = c0 + nLow, c2 = c1 + nLow, c3 = c2 + nLow
                let c4 = c3 + nLow, c5 = c4 + nLow, c6 = c5 + nLow, c7 = c6 + nLow
                for i in i0..<i1 {
                    let a = (r0[Int(c0[i])] &+ r1[Int(c1[i])]) &+ (r2[Int(c2[i])] &+ r3[Int(c3[i])])
                    let b = (r4[Int(c4[i])] &+ r5[Int(c5[i])]) &+ (r6[Int(c6[i])] &+ r7[Int(c7[i])])
                    acc[i] &+= a &+ b
                }
                g += 8
            }
            while g + 4 <= G {
                let r0 = rowOf(g), r1 = rowOf(g + 1), r2 = rowOf(g + 2), r3 = rowOf(g + 3)
                let c0 = classesGM + g * nLow + l0, c1 = c0 + nLow, c2 = c1 + nLow, c3 = c2 + nLow
                for i in i0..<i1 {
                    acc[i] &+= (r0[Int(c0[i])] &+ r1[Int(c1[i])]) &+ (r2[Int(c2[i])] &+ r3[Int(c3[i])])
                }
                g += 4
            }
            while g < G {
                let r = rowOf(g)
                let c = classesGM + g * nLow + l0
                for i in i0..<i1 { acc[i] &+= r[Int(c[i])] }
                g += 1
            }
            let dst = out + (a0 - lo) - i0
            if useFast {
                for i in i0..<i1 { dst[i] = conv.word(roundToFloat64(acc[i], scale: scale)) }
            } else {
                for i in i0..<i1 { dst[i] = conv.word(roundToFloat(Int128(acc[i]), scale: scale)) }
            }
        }
    }

    private func fill128(block b: Int, size: Int, hFirst: Int, hLast: Int, lo: Int, hi: Int,
                         _ conv: PtConversion, _ out: UnsafeMutablePointer<UInt16>) {
        let G = groupCount
        var acc = [Int128](repeating: 0, count: size)
        let l0 = b * size
        for h in hFirst...hLast {
            let rowStart = h << s
            let a0 = Swift.max(lo, rowStart + l0), a1 = Swift.min(hi, rowStart + Swift.min(l0 + size, nLow))
            if a0 >= a1 { continue }
            let i0 = a0 - rowStart - l0, i1 = a1 - rowStart - l0
            for i in i0..<i1 { acc[i] = base }
            for g in 0..<G {
                let row = Int(highClass[g][h]) * lowCount[g]
                let cls = classesGM + g * nLow + l0
                tables128[g].withUnsafeBufferPointer { t in
                    for i in i0..<i1 { acc[i] += t[row + Int(cls[i])] }
                }
            }
            let dst = out + (a0 - lo) - i0
            for i in i0..<i1 { dst[i] = conv.word(roundToFloat(acc[i], scale: scale)) }
        }
    }
}

extension LUTGenerator {
    /// The range and shape checks of `generate`, for callers with nothing to write.
    package static func checkRange(_ scheme: LUTScheme, _ forest: Forest, first: UInt64, count: UInt64) throws {
        try check(scheme, featureCount: forest.featureCount, origin: forest.origin, first: first, count: count)
    }

    /// `evaluate` for a forest without a prepared `LUTForest` (tests, tools).
    package static func evaluate(scheme: LUTScheme, forest: Forest, conversion: PtConversion,
                                addresses: UnsafeBufferPointer<UInt64>,
                                words: UnsafeMutablePointer<UInt16>?, margins: UnsafeMutablePointer<Float>?,
                                threads: Int) throws {
        try evaluate(scheme: scheme, forest: LUTForest(forest), conversion: conversion, addresses: addresses,
                     words: words, margins: margins, threads: threads)
    }

    /// `generate` for a forest without a prepared `LUTForest` (tests, tools).
    package static func generate(scheme: LUTScheme, forest: Forest, conversion: PtConversion,
                                first: UInt64, count: UInt64, out: UnsafeMutablePointer<UInt16>,
                                threads: Int, allowTabulation: Bool = true) throws {
        try generate(scheme: scheme, forest: LUTForest(forest), conversion: conversion, first: first, count: count,
                     out: out, threads: threads, allowTabulation: allowTabulation)
    }
}


func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Tuning knobs for benchmarks (not part of the contract; results never
/// depend on them, only speed and memory do).
func envInt(_ name: String) -> Int? {
    guard let v = getenv(name), let n = Int(String(cString: v)), n > 0 else { return nil }
    return n
}

/// Phase timings of the set-up under TRIGML_LUT_DEBUG.
func debugPhase(_ name: String) {
    guard getenv("TRIGML_LUT_DEBUG") != nil else { return }
    fputs("trigml lut:   \(name) done at \(monotonicSeconds())\n", stderr)
}
