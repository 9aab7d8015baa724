import TrigMLCore
import TrigMLForest
import TrigMLLUT

// What every `trigml lut` command works on: schemes with their forests,
// where they came from (for the sidecar), and the address range.

/// How the scheme was named: a preset, a scheme file, or all emtf2017 modes.
struct SchemeRecord: Equatable {
    enum Kind: String { case preset, file, allModes = "all-modes" }
    var kind: Kind
    var name: String
    var path: String?
    var sha256: String?
}

/// One scheme with its forest; `--all-modes` has up to eleven.
struct Part {
    let scheme: LUTScheme
    let forest: Forest
    let forestPath: String
    let forestSHA256: String
}

struct LUTSources {
    var record: SchemeRecord
    var parts: [Part]
    /// --all-modes --allow-missing-modes: schemes without a forest file.
    var missingModes: [String]
    /// (what, path) of every file read, for the output guard.
    var inputFiles: [(String, String)]
    /// The addresses the sources cover: the scheme's, or [0, 2^30) for all modes.
    var domainFirst: UInt64
    var domainCount: UInt64
}

func lutScheme(_ o: ParsedOptions) throws -> (LUTScheme, SchemeRecord) {
    try o.exclusive(["scheme", "scheme-file", "all-modes"])
    if let name = o.optional("scheme") {
        do {
            return (try LUTScheme.preset(name), SchemeRecord(kind: .preset, name: name))
        } catch {
            let hint = nearestName(to: name, among: LUTScheme.presetNames).map { "; did you mean '\($0)'?" } ?? ""
            throw fail("--scheme '\(name)' is not a preset\(hint) (presets: \(LUTScheme.presetNames.joined(separator: ", ")))")
        }
    }
    if let path = o.optional("scheme-file") {
        let scheme = try LUTScheme.load(path: path)
        return (scheme, SchemeRecord(kind: .file, name: scheme.name, path: path, sha256: try fileSHA256(path)))
    }
    throw fail("--scheme or --scheme-file is required for 'trigml \(o.command.name)'")
}

/// Loads one forest for `scheme`, checking input count and names.
func loadPart(_ scheme: LUTScheme, forestPath: String) throws -> Part {
    let forest = try Forest.load(path: forestPath)
    do {
        try LUTGenerator.checkInputs(scheme, forest)
    } catch let error as TMLError {
        throw fail("\(forestPath): \(error.message)")
    }
    return Part(scheme: scheme, forest: forest, forestPath: forestPath, forestSHA256: try fileSHA256(forestPath))
}

func loadSources(_ o: ParsedOptions) throws -> LUTSources {
    try o.requires("forests", "all-modes")
    try o.requires("allow-missing-modes", "all-modes")
    if o.flag("all-modes") {
        try o.exclusive(["all-modes", "forest"])
        let directory = try o.required("forests")
        var sources = LUTSources(record: SchemeRecord(kind: .allModes, name: "emtf2017"), parts: [], missingModes: [],
                                 inputFiles: [], domainFirst: 0, domainCount: 1 << 30)
        var missing: [String] = []
        for name in LUTScheme.presetNames {
            let path = directory + "/" + name.dropFirst("emtf2017-".count) + ".json"
            if access(path, F_OK) != 0 {
                missing.append(path)
                sources.missingModes.append(name)
                continue
            }
            sources.parts.append(try loadPart(try LUTScheme.preset(name), forestPath: path))
            sources.inputFiles.append(("forest file", path))
        }
        if sources.parts.isEmpty { throw fail("no forest files mode15.json ... mode3.json in \(directory)") }
        if !missing.isEmpty && !o.flag("allow-missing-modes") {
            throw fail("missing mode forest file\(missing.count > 1 ? "s" : ""): \(missing.joined(separator: ", ")) (pass --allow-missing-modes to store the word of pt 0 for those modes)")
        }
        return sources
    }
    let (scheme, record) = try lutScheme(o)
    let forestPath = try o.required("forest")
    var inputs = [("forest file", forestPath)]
    if let path = record.path { inputs.append(("scheme file", path)) }
    return LUTSources(record: record, parts: [try loadPart(scheme, forestPath: forestPath)], missingModes: [],
                      inputFiles: inputs, domainFirst: scheme.firstAddress, domainCount: scheme.addressCount)
}

/// Refuses a range [first, first + count) outside the sources' addresses.
func checkRange(_ sources: LUTSources, first: UInt64, count: UInt64) throws {
    let lo = sources.domainFirst, n = sources.domainCount
    guard first >= lo, count <= n, first - lo <= n - count else {
        let what = sources.record.kind == .allModes ? "the emtf2017 table" : "scheme '\(sources.record.name)'"
        throw fail("range [\(first), \(first) + \(count)) leaves \(what) [\(lo), \(lo + n))")
    }
}

/// Words of [first, first + count), mode by mode; addresses no scheme
/// covers store the word of pt 0.
func fill(_ parts: [Part], _ conversion: PtConversion, first: UInt64, count: UInt64, threads: Int,
          out: UnsafeMutablePointer<UInt16>) throws {
    out.initialize(repeating: conversion.wordOfZeroPt, count: Int(count))
    for part in parts {
        guard let (lo, hi) = overlap(part.scheme, first: first, count: count) else { continue }
        try LUTGenerator.generate(scheme: part.scheme, forest: part.forest, conversion: conversion, first: lo,
                                  count: hi - lo, out: out + Int(lo - first), threads: threads)
    }
}

/// The part of [first, first + count) inside the scheme, if any.
func overlap(_ scheme: LUTScheme, first: UInt64, count: UInt64) -> (UInt64, UInt64)? {
    let lo = Swift.max(first, scheme.firstAddress)
    let hi = Swift.min(first + count, scheme.firstAddress + scheme.addressCount)
    return lo < hi ? (lo, hi) : nil
}
