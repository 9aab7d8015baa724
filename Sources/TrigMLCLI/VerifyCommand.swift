import TrigMLCore
import TrigMLLUT

// `trigml lut verify`: recompute sampled (or all) addresses of a table file.

/// EMTF firmware packing (cmssw L1Trigger/L1TMuonEndCap/src/PtLUTWriter.cc,
/// read back by src/PtLUTReader.cc): four 9-bit words per little-endian
/// uint64 at bits [8:0], [17:9], [40:32], [49:41]; generate packs in place.
func unpackEMTF(_ words: [UInt64]) -> [UInt16] {
    var out: [UInt16] = []
    out.reserveCapacity(words.count * 4)
    for v in words {
        out.append(UInt16(v & 0x1ff)); out.append(UInt16((v >> 9) & 0x1ff))
        out.append(UInt16((v >> 32) & 0x1ff)); out.append(UInt16((v >> 41) & 0x1ff))
    }
    return out
}

func verifyCommand(_ o: Options) throws {
    let ps = try parts(o)
    let conv = try PtConversion.preset(o.values["conversion"] ?? "emtf2017")
    let path = try o.string("in")
    let bytes = try readWholeFile(path, limit: 1 << 32)
    let format = o.values["format"] ?? "u16"
    var words: [UInt16]
    if format == "u16" {
        guard bytes.count % 2 == 0 else { throw fail("\(path): odd size for uint16 words") }
        words = bytes.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) }
    } else {
        guard bytes.count % 8 == 0 else { throw fail("\(path): size is not a multiple of 8") }
        words = unpackEMTF(bytes.withUnsafeBytes { Array($0.bindMemory(to: UInt64.self)) })
    }
    let all = o.flags.contains("all-modes")
    let first = try o.uint("first") ?? (all ? 0 : ps[0].scheme.firstAddress)
    let n = words.count
    var idx: [Int]
    if o.flags.contains("full") {
        idx = Array(0..<n)
    } else {
        var state = try o.uint("seed") ?? 12345
        let m = Int(try o.uint("sample") ?? 1_000_000)
        idx = (0..<min(m, n)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 17) % UInt64(max(n, 1)))
        }
    }
    let threads = Int(try o.uint("threads") ?? 0)
    var bad = 0, checked = 0
    var firstBad: String? = nil
    for p in ps + [] {
        let sel = idx.filter { p.scheme.contains(first + UInt64($0)) }
        if sel.isEmpty { continue }
        let addrs = sel.map { first + UInt64($0) }
        var expect = [UInt16](repeating: 0, count: sel.count)
        try addrs.withUnsafeBufferPointer { a in
            try expect.withUnsafeMutableBufferPointer { e in
                try LUTGenerator.evaluate(scheme: p.scheme, forest: p.forest, conversion: conv, addresses: a,
                                          words: e.baseAddress, margins: nil, threads: threads)
            }
        }
        for (k, i) in sel.enumerated() where words[i] != expect[k] {
            bad += 1
            if firstBad == nil { firstBad = "address \(first + UInt64(i)): file \(words[i]), recomputed \(expect[k])" }
        }
        checked += sel.count
    }
    let unused = conv.wordOfZeroPt
    for i in idx where !ps.contains(where: { $0.scheme.contains(first + UInt64(i)) }) {
        checked += 1
        if words[i] != unused { bad += 1; if firstBad == nil { firstBad = "address \(first + UInt64(i)): file \(words[i]), expected \(unused) (no scheme)" } }
    }
    print("verified \(checked) addresses of \(path): \(bad) differ")
    if let fb = firstBad { print("first difference: \(fb)") }
    if bad > 0 { exit(1) }
}
