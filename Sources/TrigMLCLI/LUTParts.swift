import TrigMLCore
import TrigMLForest
import TrigMLLUT

// What every `trigml lut` command works on: schemes with their forests and
// the address range, and the words of that range.

func lutScheme(_ o: Options) throws -> LUTScheme {
    if let n = o.values["scheme"] { return try LUTScheme.preset(n) }
    if let p = o.values["scheme-file"] { return try LUTScheme.load(path: p) }
    throw fail("--scheme or --scheme-file is required")
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
