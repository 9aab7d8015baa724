import TrigML
import TrigMLCore
import TrigMLLUT

// `trigml lut generate`: the table file and its JSON sidecar.

func writeAll(_ path: String, _ p: UnsafeRawPointer, _ n: Int) throws {
    guard let f = fopen(path, "wb") else { throw fail("cannot open \(path) for writing") }
    defer { fclose(f) }
    guard fwrite(p, 1, n, f) == n else { throw fail("short write to \(path)") }
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
