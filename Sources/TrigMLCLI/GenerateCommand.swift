import TrigML
import TrigMLCore
import TrigMLLUT

// `trigml lut generate`: the table file, its sidecar and the physics summary.

/// Packs u16 words into the EMTF firmware layout in place
/// (cmssw L1Trigger/L1TMuonEndCap/src/PtLUTWriter.cc: four 9-bit words per
/// little-endian uint64 at bits [8:0], [17:9], [40:32], [49:41]). Word i of
/// the packed file needs u16 words 4i..4i+3, which no earlier packed word
/// overwrites (8 bytes <= 4 * 2 bytes).
func packEMTF(_ buffer: UnsafeMutablePointer<UInt16>, count: Int) {
    let raw = UnsafeMutableRawPointer(buffer)
    for i in 0..<(count / 4) {
        let a = UInt64(buffer[4 * i] & 0x1ff), b = UInt64(buffer[4 * i + 1] & 0x1ff)
        let c = UInt64(buffer[4 * i + 2] & 0x1ff), d = UInt64(buffer[4 * i + 3] & 0x1ff)
        raw.storeBytes(of: (a | b << 9 | c << 32 | d << 41).littleEndian, toByteOffset: 8 * i, as: UInt64.self)
    }
}

func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

func generateCommand(_ o: ParsedOptions, commandLine: [String]) throws {
    let sources = try loadSources(o)
    let chosen = try chosenConversion(o)
    let first = try o.uint("first") ?? sources.domainFirst
    let count = try o.uint("count") ?? (sources.domainFirst + sources.domainCount - Swift.min(first, sources.domainFirst + sources.domainCount))
    try checkRange(sources, first: first, count: count)
    let format = try o.choice("format", ["u16", "emtf64"], default: "u16")
    if format == "emtf64" && (first % 4 != 0 || count % 4 != 0) {
        throw fail("--format emtf64 packs four words per uint64: --first and --count must be multiples of 4")
    }
    let threads = Int(try o.uint("threads") ?? 0)
    let sample = Int(Swift.min(try o.uint("summary-sample") ?? 65536, 1 << 24))
    let out = try o.required("out")
    var inputs = sources.inputFiles
    if let path = o.optional("conversion-file") { inputs.append(("conversion file", path)) }
    try refuseOverwritingInputs(outputs: [("--out", out), ("the sidecar of --out", out + ".json")], inputs: inputs)
    guard count <= UInt64(Int.max / 2) else { throw fail("--count \(count) is too large") }

    // Created before the work, so an unwritable directory fails at once.
    let table = try AtomicOutput(out)
    let sidecarFile = try AtomicOutput(out + ".json")
    let buffer = UnsafeMutablePointer<UInt16>.allocate(capacity: Int(Swift.max(count, 1)))
    defer { buffer.deallocate() }
    let start = monotonicSeconds()
    try fill(sources.parts, chosen.conversion, first: first, count: count, threads: threads, out: buffer)
    let seconds = monotonicSeconds() - start
    let summary = try PhysicsSummary(parts: sources.parts, words: buffer, first: first, count: count,
                                     conversion: chosen.conversion, sample: sample)
    if format == "emtf64" { packEMTF(buffer, count: Int(count)) }
    try table.write(buffer, count: Int(count) * 2)

    let sidecar = Sidecar(
        scheme: sources.record,
        forests: sources.parts.map {
            ForestRecord(scheme: $0.scheme.name, firstAddress: $0.scheme.firstAddress, addressCount: $0.scheme.addressCount,
                         path: $0.forestPath, sha256: $0.forestSHA256, trees: $0.forest.treeCount)
        },
        missingModes: sources.missingModes, conversion: chosen, firstAddress: first, count: count, wordFormat: format,
        commandLine: commandLine, libraryVersion: String(cString: tml_version()), cpuPath: cpuPath(),
        seconds: seconds, summary: summary.lines + summary.warnings.map { "WARNING: " + $0 })
    try sidecarFile.write(sidecar.json())
    try table.close()
    try sidecarFile.close()
    // A stale sidecar of an older table never sits next to the new one.
    unlink(out + ".json")
    try table.publish()
    try sidecarFile.publish()

    print("wrote \(count) words of [\(first), \(first + count)) to \(out) (\(format)) in \(seconds) s; sidecar \(out).json")
    print("physics summary:")
    for line in summary.lines { print("  " + line) }
    for warning in summary.warnings { fputs("trigml: WARNING: \(warning)\n", stderr) }
}
