#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import TrigML
import TrigMLCore
import TrigMLForest
import TrigMLLUT

// `trigml lut generate | verify | lookup` (README "Command line").
// SwiftPM builds this as `.build/release/trigml-cli` (the product name
// `trigml` belongs to the library, libtrigml.so); CMake installs it as
// `trigml`, and tools/trigml is a wrapper that runs it.

let usage = """
usage:
  trigml lut generate (--scheme NAME | --scheme-file PATH) --forest PATH
                      [--first A] [--count N] [--conversion emtf2017|emtf2022]
                      [--threads N] [--format u16|emtf64] --out FILE
  trigml lut generate --all-modes --forests DIR [--first A] [--count N] ...
                      (DIR holds mode15.json, mode14.json, ... one forest per mode;
                       addresses of missing modes and below 2^24 store the word of pt 0)
  trigml lut verify   (--scheme NAME | --scheme-file PATH | --all-modes --forests DIR)
                      [--forest PATH] --in FILE [--first A] [--format u16|emtf64]
                      [--conversion C] [--sample N | --full] [--seed S] [--threads N]
  trigml lut lookup   (--scheme NAME | --scheme-file PATH) --forest PATH --address A [--conversion C]

A sidecar FILE.json is written next to every generated FILE: scheme, forest
SHA-256, conversion, range, format, library version.
"""

struct Failure: Error { let message: String }

func fail(_ m: String) -> Failure { Failure(message: m) }

struct Options {
    var values: [String: String] = [:]
    var flags: Set<String> = []
    init(_ args: ArraySlice<String>) throws {
        var i = args.startIndex
        while i < args.endIndex {
            let a = args[i]
            guard a.hasPrefix("--") else { throw fail("unexpected argument '\(a)'") }
            let key = String(a.dropFirst(2))
            if ["all-modes", "full"].contains(key) { flags.insert(key); i += 1; continue }
            guard i + 1 < args.endIndex else { throw fail("\(a) needs a value") }
            values[key] = args[i + 1]
            i += 2
        }
    }
    func string(_ k: String) throws -> String {
        guard let v = values[k] else { throw fail("--\(k) is required") }
        return v
    }
    func uint(_ k: String) throws -> UInt64? {
        guard let v = values[k] else { return nil }
        let parsed = v.hasPrefix("0x") ? UInt64(v.dropFirst(2), radix: 16) : UInt64(v)
        guard let n = parsed else { throw fail("--\(k) '\(v)' is not a non-negative integer") }
        return n
    }
}

func lutScheme(_ o: Options) throws -> LUTScheme {
    if let n = o.values["scheme"] { return try LUTScheme.preset(n) }
    if let p = o.values["scheme-file"] { return try LUTScheme.load(path: p) }
    throw fail("--scheme or --scheme-file is required")
}

func fileSHA256(_ path: String) throws -> String {
    SHA256.hash(try readWholeFile(path))
}

/// One scheme with its forest; `--all-modes` has eleven.
struct Part {
    let scheme: LUTScheme
    let forest: Forest
    let forestPath: String
}

func parts(_ o: Options) throws -> [Part] {
    if o.flags.contains("all-modes") {
        let dir = try o.string("forests")
        var out: [Part] = []
        for name in LUTScheme.presetNames {
            let mode = String(name.dropFirst("emtf2017-".count))
            let path = dir + "/" + mode + ".json"
            if access(path, R_OK) != 0 { continue }
            out.append(Part(scheme: try LUTScheme.preset(name), forest: try Forest.load(path: path), forestPath: path))
        }
        guard !out.isEmpty else { throw fail("no forest files mode15.json ... mode3.json in \(dir)") }
        return out
    }
    let path = try o.string("forest")
    return [Part(scheme: try lutScheme(o), forest: try Forest.load(path: path), forestPath: path)]
}

/// The table's range: the scheme's range (all modes: [0, 2^30)) unless
/// --first/--count narrow it.
func range(_ o: Options, _ ps: [Part]) throws -> (UInt64, UInt64) {
    let all = o.flags.contains("all-modes")
    let lo = all ? 0 : ps[0].scheme.firstAddress
    let n = all ? UInt64(1) << 30 : ps[0].scheme.addressCount
    let first = try o.uint("first") ?? lo
    let count = try o.uint("count") ?? (lo + n - first)
    guard first >= lo, count <= n, first - lo <= n - count else {
        throw fail("range [\(first), \(first) + \(count)) is outside [\(lo), \(lo + n))")
    }
    return (first, count)
}

/// Words of [first, first + count), mode by mode.
func fill(_ ps: [Part], _ conv: PtConversion, first: UInt64, count: UInt64, threads: Int,
          out: UnsafeMutablePointer<UInt16>) throws {
    // Addresses no scheme covers store the word of pt 0; only those are
    // written here (the schemes of `ps` do not overlap).
    let unused = conv.wordOfZeroPt
    let sorted = ps.sorted { $0.scheme.firstAddress < $1.scheme.firstAddress }
    var cursor = first
    for p in sorted + [] {
        let lo = Swift.max(first, p.scheme.firstAddress)
        let hi = Swift.min(first + count, p.scheme.firstAddress + p.scheme.addressCount)
        if lo >= hi { continue }
        while cursor < lo { out[Int(cursor - first)] = unused; cursor += 1 }
        cursor = Swift.max(cursor, hi)
    }
    while cursor < first + count { out[Int(cursor - first)] = unused; cursor += 1 }
    for p in ps {
        let lo = Swift.max(first, p.scheme.firstAddress)
        let hi = Swift.min(first + count, p.scheme.firstAddress + p.scheme.addressCount)
        if lo >= hi { continue }
        try LUTGenerator.generate(scheme: p.scheme, forest: p.forest, conversion: conv, first: lo, count: hi - lo,
                                  out: out + Int(lo - first), threads: threads)
    }
}

func writeAll(_ path: String, _ p: UnsafeRawPointer, _ n: Int) throws {
    guard let f = fopen(path, "wb") else { throw fail("cannot open \(path) for writing") }
    defer { fclose(f) }
    guard fwrite(p, 1, n, f) == n else { throw fail("short write to \(path)") }
}

/// EMTF firmware packing (facts §5 "File"): four 9-bit words per little-endian
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

func jsonString(_ s: String) -> String {
    var o = "\""
    for ch in s.unicodeScalars {
        switch ch {
        case "\"": o += "\\\""
        case "\\": o += "\\\\"
        default: o.unicodeScalars.append(ch)
        }
    }
    return o + "\""
}

func conversionJSON(_ name: String, _ c: PtConversion) -> String {
    "{\"name\": \(jsonString(name)), \"target\": \"\(c.target == .inversePt ? "1/pT" : "log2 pT")\", \"output_floor\": \(c.outputFloor), \"scale_numerator\": \(c.scaleNumerator), \"scale_slope\": \(c.scaleSlope), \"scale_pt_cap\": \(c.scalePtCap), \"word_per_gev\": \(c.wordPerGeV), \"word_offset\": \(c.wordOffset), \"word_max\": \(c.wordMax)}"
}

func generateCommand(_ o: Options) throws {
    let ps = try parts(o)
    let convName = o.values["conversion"] ?? "emtf2017"
    let conv = try PtConversion.preset(convName)
    let (first, count) = try range(o, ps)
    let format = o.values["format"] ?? "u16"
    guard format == "u16" || format == "emtf64" else { throw fail("--format must be u16 or emtf64") }
    if format == "emtf64" && (first % 4 != 0 || count % 4 != 0) {
        throw fail("--format emtf64 packs four words per uint64: --first and --count must be multiples of 4")
    }
    let threads = Int(try o.uint("threads") ?? 0)
    let out = try o.string("out")
    let buffer = UnsafeMutablePointer<UInt16>.allocate(capacity: Int(max(count, 1)))
    defer { buffer.deallocate() }
    var ts = timespec(); clock_gettime(CLOCK_MONOTONIC, &ts)
    let t0 = Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    try fill(ps, conv, first: first, count: count, threads: threads, out: buffer)
    clock_gettime(CLOCK_MONOTONIC, &ts)
    let seconds = Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9 - t0
    if format == "u16" {
        try writeAll(out, buffer, Int(count) * 2)
    } else {
        // Packed in place: word i of the packed file needs u16 words 4i..4i+3,
        // which no earlier packed word overwrites (8 bytes <= 4 * 2 bytes).
        let raw = UnsafeMutableRawPointer(buffer)
        for i in 0..<(Int(count) / 4) {
            let a = UInt64(buffer[4 * i] & 0x1ff), b = UInt64(buffer[4 * i + 1] & 0x1ff)
            let c = UInt64(buffer[4 * i + 2] & 0x1ff), d = UInt64(buffer[4 * i + 3] & 0x1ff)
            raw.storeBytes(of: (a | b << 9 | c << 32 | d << 41).littleEndian, toByteOffset: 8 * i, as: UInt64.self)
        }
        try writeAll(out, raw, Int(count) * 2)
    }
    var forests: [String] = []
    for p in ps {
        forests.append("{\"scheme\": \(jsonString(p.scheme.name)), \"first_address\": \(p.scheme.firstAddress), \"address_count\": \(p.scheme.addressCount), \"forest\": \(jsonString(p.forestPath)), \"forest_sha256\": \"\(try fileSHA256(p.forestPath))\", \"trees\": \(p.forest.treeCount)}")
    }
    let schemeName = o.flags.contains("all-modes") ? "emtf2017 (all modes)" : ps[0].scheme.name
    let sidecar = """
    {
     "format": "trigml.lut-sidecar", "format_version": 1,
     "scheme": \(jsonString(schemeName)),
     "forests": [\(forests.joined(separator: ", "))],
     "conversion": \(conversionJSON(convName, conv)),
     "first_address": \(first), "count": \(count),
     "file_format": "\(format == "u16" ? "uint16 little-endian, one word per address" : "EMTF firmware: four 9-bit words per little-endian uint64 at bits [8:0] [17:9] [40:32] [49:41]")",
     "summation": "exact sum of base and leaves, rounded once to float32",
     "library_version": "\(String(cString: tml_version()))",
     "seconds": \(seconds)
    }

    """
    try writeAll(out + ".json", sidecar, sidecar.utf8.count)
    print("wrote \(count) words of [\(first), \(first + count)) to \(out) in \(seconds) s")
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

func lookupCommand(_ o: Options) throws {
    let ps = try parts(o)
    let p = ps[0]
    let conv = try PtConversion.preset(o.values["conversion"] ?? "emtf2017")
    guard let a = try o.uint("address") else { throw fail("--address is required") }
    guard p.scheme.contains(a) else { throw fail("address \(a) is outside scheme \(p.scheme.name)") }
    print("scheme \(p.scheme.name), address \(a) (0x\(String(a, radix: 16)))")
    let local = a - p.scheme.firstAddress
    for f in p.scheme.fields {
        print("  field \(f.name) [\(f.offset + f.width - 1):\(f.offset)] = \((local >> UInt64(f.offset)) & ((1 << UInt64(f.width)) - 1))")
    }
    var x = [Float](repeating: 0, count: p.scheme.featureCount)
    try [a].withUnsafeBufferPointer { try p.scheme.decode($0, into: &x) }
    for (n, v) in zip(p.scheme.inputNames, x) { print("  input \(n) = \(v)") }
    var word: UInt16 = 0
    var margin: Float = 0
    try [a].withUnsafeBufferPointer {
        try LUTGenerator.evaluate(scheme: p.scheme, forest: p.forest, conversion: conv, addresses: $0,
                                  words: &word, margins: &margin, threads: 1)
    }
    print("  BDT output \(margin) (exact sum rounded to float32)")
    print("  pT \(conv.pt(margin)) GeV (scaled)")
    print("  word \(word)")
}

let args = CommandLine.arguments
do {
    guard args.count >= 3, args[1] == "lut" else { print(usage); exit(args.count >= 2 && args[1] == "--help" ? 0 : 2) }
    let o = try Options(args[3...])
    switch args[2] {
    case "generate": try generateCommand(o)
    case "verify": try verifyCommand(o)
    case "lookup": try lookupCommand(o)
    default: print(usage); exit(2)
    }
} catch let e as Failure {
    fputs("trigml: \(e.message)\n", stderr); exit(2)
} catch let e as TMLError {
    fputs("trigml: \(e.message)\n", stderr); exit(2)
} catch {
    fputs("trigml: \(error)\n", stderr); exit(2)
}
