import TrigMLCore
import TrigMLLUT

// `trigml lut verify`: refuse a file that cannot be the table of these
// inputs (sidecar digests, length, range), then recompute sampled or all
// words on the independent path (IndependentCheck.swift) and compare.

func verifyCommand(_ o: ParsedOptions) throws {
    try o.exclusive(["sample", "full"])
    try o.requires("seed", "sample")
    let sources = try loadSources(o)
    let path = try o.required("in")
    let sidecarPath = o.optional("sidecar") ?? path + ".json"
    var sidecar: Sidecar?
    if o.has("sidecar") || access(sidecarPath, F_OK) == 0 {
        sidecar = try Sidecar.load(path: sidecarPath)
    }
    if let sidecar { try checkAgainstSidecar(sources, sidecar, sidecarPath) }

    // Range, format and conversion: given, else the sidecar's, else the defaults.
    let chosen: ChosenConversion
    if conversionGiven(o) {
        chosen = try chosenConversion(o)
        if let recorded = sidecar?.conversion.conversion, recorded != chosen.conversion {
            throw fail("the conversion given (\(describe(chosen.conversion))) differs from the one \(sidecarPath) records (\(describe(recorded))); omit the conversion options to use the sidecar's")
        }
    } else {
        chosen = try sidecar?.conversion ?? chosenConversion(o)
    }
    let format = try o.choice("format", ["u16", "emtf64"], default: sidecar?.wordFormat ?? "u16")
    let first = try o.uint("first") ?? sidecar?.firstAddress ?? sources.domainFirst
    let domainEnd = sources.domainFirst + sources.domainCount
    let count = try o.uint("count") ?? sidecar?.count ?? (domainEnd - Swift.min(first, domainEnd))
    if let sidecar {
        let given: [(String, String, String)] = [("--format", format, sidecar.wordFormat),
                                                 ("--first", "\(first)", "\(sidecar.firstAddress)"),
                                                 ("--count", "\(count)", "\(sidecar.count)")]
        for (option, value, recorded) in given where value != recorded {
            throw fail("\(option) \(value) differs from the \(recorded) that \(sidecarPath) records for this file")
        }
    }
    try checkRange(sources, first: first, count: count)
    if format == "emtf64" && (first % 4 != 0 || count % 4 != 0) {
        throw fail("format emtf64 packs four words per uint64: first \(first) and count \(count) must be multiples of 4")
    }
    let table = try TableFile(path: path, emtf64: format == "emtf64")
    guard UInt64(table.byteCount) == 2 * count else {
        let origin = sidecar == nil ? " (no sidecar \(sidecarPath): the range is the scheme's from --first unless --first/--count say otherwise)" : ""
        throw fail("\(path) is \(table.byteCount) bytes but the range [\(first), \(first) + \(count)) in \(format) needs \(2 * count)\(origin)")
    }
    if sidecar == nil { print("no sidecar \(sidecarPath): range [\(first), \(first + count)), \(format), conversion \(chosen.source) from the command line") }

    let threads = Int(try o.uint("threads") ?? 0)
    let check = try IndependentCheck(parts: sources.parts, conversion: chosen.conversion, first: first, table: table)
    let n = Int(count)
    let start = monotonicSeconds()
    let result: CheckResult
    let what: String
    if o.flag("full") {
        what = "all \(n) addresses"
        result = try check.run(count: n, threads: threads) { $0 }
    } else {
        var state = try o.uint("seed") ?? 12345
        let m = Int(Swift.min(try o.uint("sample") ?? 1_000_000, UInt64(n)))
        let positions = (0..<m).map { _ -> Int in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 17) % UInt64(n))
        }
        what = "\(m) sampled addresses"
        result = try check.run(count: m, threads: threads) { positions[$0] }
    }
    let seconds = monotonicSeconds() - start
    print("verified \(what) of \(path) in \(seconds) s: \(result.differ) differ")
    if let (_, text) = result.firstDifference { print("first difference: \(text)") }
    if result.differ > 0 { exit(1) }
}

/// The forests and scheme given must be the ones the sidecar records.
func checkAgainstSidecar(_ sources: LUTSources, _ sidecar: Sidecar, _ sidecarPath: String) throws {
    let recorded = sidecar.scheme
    let given = sources.record
    switch (recorded.kind, given.kind) {
    case (.allModes, .allModes): break
    case (.allModes, _), (_, .allModes):
        throw fail("this file was made with \(recorded.kind == .allModes ? "--all-modes" : "scheme '\(recorded.name)'") (\(sidecarPath)), not \(given.kind == .allModes ? "--all-modes" : "scheme '\(given.name)'")")
    case (.file, _) where given.sha256 != recorded.sha256:
        throw fail("this file was made with scheme file \(recorded.path ?? "?") of SHA-256 \(recorded.sha256 ?? "?") (\(sidecarPath)), but the scheme given \(given.path.map { "(\($0)) has SHA-256 \(given.sha256 ?? "?")" } ?? "is preset '\(given.name)'")")
    case (.preset, _) where given.kind != .preset || given.name != recorded.name:
        throw fail("this file was made with scheme preset '\(recorded.name)' (\(sidecarPath)), not \(given.kind == .file ? "scheme file \(given.path ?? "")" : "'\(given.name)'")")
    default: break
    }
    for part in sources.parts {
        guard let record = sidecar.forests.first(where: { $0.scheme == part.scheme.name }) else {
            throw fail("this file was made without a forest for \(part.scheme.name) (\(sidecarPath) lists it as missing), but \(part.forestPath) is given")
        }
        guard record.sha256 == part.forestSHA256 else {
            throw fail("this file was made with forest SHA-256 \(record.sha256) (\(record.path), for \(record.scheme)), but \(part.forestPath) has SHA-256 \(part.forestSHA256)")
        }
    }
    for record in sidecar.forests where !sources.parts.contains(where: { $0.scheme.name == record.scheme }) {
        throw fail("this file was made with forest \(record.path) (SHA-256 \(record.sha256)) for \(record.scheme), which is not given")
    }
}
