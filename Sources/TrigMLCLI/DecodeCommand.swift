import TrigMLCore
import TrigMLLUT

// `trigml lut decode`: addresses to the named BDT inputs, as CSV or as a
// numpy structured array, so training samples use exactly the inputs the
// LUT will feed the forest (in the forest's order, under the scheme's names).

func decodeCommand(_ o: ParsedOptions) throws {
    let (scheme, record) = try lutScheme(o)
    try o.exclusive(["addresses", "first"])
    try o.exclusive(["addresses", "count"])
    let format = try o.choice("format", ["csv", "npy"], default: "csv")
    var inputs: [(String, String)] = []
    if let path = record.path { inputs.append(("scheme file", path)) }
    let addresses: [UInt64]
    if let path = o.optional("addresses") {
        inputs.append(("addresses file", path))
        addresses = try readAddresses(path)
    } else {
        guard let first = try o.uint("first"), let count = try o.uint("count") else {
            throw fail("'trigml lut decode' needs --first A --count N, or --addresses FILE")
        }
        guard count <= 1 << 28 else { throw fail("--count \(count) is more than 2^28 addresses; decode in pieces") }
        let (last, overflow) = first.addingReportingOverflow(count)
        guard !overflow, first >= scheme.firstAddress, last <= scheme.firstAddress + scheme.addressCount else {
            throw fail("range [\(first), \(first) + \(count)) leaves scheme '\(scheme.name)' [\(scheme.firstAddress), \(scheme.firstAddress + scheme.addressCount))")
        }
        addresses = (0..<count).map { first + $0 }
    }
    for (index, address) in addresses.enumerated() where !scheme.contains(address) {
        throw fail("address \(index) (\(address)) is outside scheme '\(scheme.name)' [\(scheme.firstAddress), \(scheme.firstAddress + scheme.addressCount))")
    }
    let outPath = o.optional("out")
    if format == "npy" && outPath == nil { throw fail("--format npy needs --out FILE") }
    if let outPath { try refuseOverwritingInputs(outputs: [("--out", outPath)], inputs: inputs) }
    let output = try outPath.map { try AtomicOutput($0) }

    let names = ["address"] + scheme.inputNames
    if format == "npy" {
        try output?.write(bytes: npyHeader(fields: names, count: addresses.count))
    } else {
        try emit(names.joined(separator: ",") + "\n", output)
    }
    let block = 65536
    var features = [Float](repeating: 0, count: block * scheme.featureCount)
    var start = 0
    while start < addresses.count {
        let end = Swift.min(addresses.count, start + block)
        try addresses[start..<end].withUnsafeBufferPointer { chunk in
            try features.withUnsafeMutableBufferPointer { x in
                guard let base = x.baseAddress else { return }
                try scheme.decode(chunk, into: base)
            }
        }
        if format == "npy" {
            var bytes: [UInt8] = []
            bytes.reserveCapacity((end - start) * (8 + 4 * scheme.featureCount))
            for row in 0..<(end - start) {
                withUnsafeBytes(of: addresses[start + row].littleEndian) { bytes.append(contentsOf: $0) }
                for k in 0..<scheme.featureCount {
                    withUnsafeBytes(of: features[row * scheme.featureCount + k].bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
                }
            }
            try bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                try output?.write(base, count: buffer.count)
            }
        } else {
            var text = ""
            for row in 0..<(end - start) {
                text += String(addresses[start + row])
                for k in 0..<scheme.featureCount { text += "," + csvNumber(features[row * scheme.featureCount + k]) }
                text += "\n"
            }
            try emit(text, output)
        }
        start = end
    }
    try output?.publish()
    if let outPath { print("decoded \(addresses.count) addresses of \(scheme.name) into \(outPath) (\(format)): \(names.joined(separator: ", "))") }
}

/// To the output file, or standard output.
func emit(_ text: String, _ output: AtomicOutput?) throws {
    if let output { try output.write(text) } else { fputs(text, stdout) }
}

/// A float as the shortest text that reads back to it ("3", "-0.5").
func csvNumber(_ value: Float) -> String {
    if value == value.rounded(), Swift.abs(value) < 1e9 { return String(Int(value)) }
    return "\(value)"
}

/// numpy .npy format 1.0 header of a 1-D structured array: "address" as
/// little-endian uint64, every input as little-endian float32
/// (numpy/lib/format.py: magic, version, little-endian header length, a
/// Python dict literal padded with spaces to a multiple of 64 bytes).
func npyHeader(fields: [String], count: Int) throws -> [UInt8] {
    func literal(_ name: String) -> String {
        "'" + name.map { $0 == "\\" || $0 == "'" ? "\\\($0)" : String($0) }.joined() + "'"
    }
    let descr = fields.enumerated().map { "(\(literal($0.element)), '\($0.offset == 0 ? "<u8" : "<f4")')" }
    var dict = "{'descr': [\(descr.joined(separator: ", "))], 'fortran_order': False, 'shape': (\(count),), }"
    let total = 10 + dict.utf8.count + 1
    dict += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
    let length = dict.utf8.count
    guard length <= 65535 else { throw fail("too many input names for an .npy 1.0 header") }
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xff), UInt8(length >> 8)] + Array(dict.utf8)
}

/// Addresses from a text file (one per line, decimal or 0x hex, blank lines
/// and # comments skipped) or a 1-D little-endian uint64 .npy file.
func readAddresses(_ path: String) throws -> [UInt64] {
    let bytes = try readWholeFile(path, limit: 1 << 31)
    if bytes.starts(with: [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]) { return try npyAddresses(bytes, path) }
    var out: [UInt64] = []
    var lineNumber = 0
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
        lineNumber += 1
        let text = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map {
            $0.trimmingCharacters(in: " \t\r")
        } ?? ""
        if text.isEmpty { continue }
        guard let value = parseUnsigned(text) else { throw fail("\(path):\(lineNumber): '\(text)' is not an address (decimal or 0x hex)") }
        out.append(value)
    }
    return out
}

func npyAddresses(_ bytes: [UInt8], _ path: String) throws -> [UInt64] {
    guard bytes.count >= 10, bytes[6] == 1 else { throw fail("\(path): only .npy format version 1.0 is read") }
    let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
    guard bytes.count >= 10 + headerLength else { throw fail("\(path): truncated .npy header") }
    let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
    guard header.contains("'descr': '<u8'"), header.contains("'fortran_order': False") else {
        throw fail("\(path): an .npy of addresses must be a 1-D little-endian uint64 array ('<u8', C order); header \(header.trimmingCharacters(in: " \n"))")
    }
    let data = bytes[(10 + headerLength)...]
    guard data.count % 8 == 0 else { throw fail("\(path): \(data.count) data bytes is not a whole number of uint64") }
    var out = [UInt64](repeating: 0, count: data.count / 8)
    out.withUnsafeMutableBytes { $0.copyBytes(from: data) }
    return out.map { UInt64(littleEndian: $0) }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        String(drop(while: { set.contains($0) }).reversed().drop(while: { set.contains($0) }).reversed())
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String { self[...].trimmingCharacters(in: set) }

}
