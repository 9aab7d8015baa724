import TrigMLCore
import TrigMLLUT

// The sidecar FILE.json of a generated table (docs/formats/lut_output.md,
// `trigml.lut-sidecar` version 2): everything needed to reproduce or
// verify the table. Its reader is strict: an unknown key is an error naming
// its path and the nearest known key.

struct ForestRecord: Equatable {
    var scheme: String
    var firstAddress: UInt64
    var addressCount: UInt64
    var path: String
    var sha256: String
    var trees: Int
}

struct Sidecar {
    static let format = "trigml.lut-sidecar"
    static let version = 2
    static let summation = "exact sum of base and leaves, rounded once to float32"

    var scheme: SchemeRecord
    var forests: [ForestRecord]
    var missingModes: [String]
    var conversion: ChosenConversion
    var firstAddress: UInt64
    var count: UInt64
    /// "u16" or "emtf64"
    var wordFormat: String
    var commandLine: [String]
    var libraryVersion: String
    var cpuPath: String
    var seconds: Double
    var summary: [String]

    static func wordFormatDescription(_ format: String) -> String {
        format == "u16" ? "uint16 little-endian, one word per address"
            : "EMTF firmware: four 9-bit words per little-endian uint64 at bits [8:0] [17:9] [40:32] [49:41]"
    }

    func json() -> String {
        var schemeFields = ["\"kind\": \(jsonString(scheme.kind.rawValue))", "\"name\": \(jsonString(scheme.name))"]
        if let path = scheme.path { schemeFields.append("\"path\": \(jsonString(path))") }
        if let sha = scheme.sha256 { schemeFields.append("\"sha256\": \(jsonString(sha))") }
        let forestLines = forests.map {
            "{\"scheme\": \(jsonString($0.scheme)), \"first_address\": \($0.firstAddress), \"address_count\": \($0.addressCount), "
                + "\"path\": \(jsonString($0.path)), \"sha256\": \(jsonString($0.sha256)), \"trees\": \($0.trees)}"
        }
        return """
        {
         "format": "\(Self.format)", "format_version": \(Self.version),
         "scheme": {\(schemeFields.joined(separator: ", "))},
         "forests": [
          \(forestLines.joined(separator: ",\n  "))
         ],
         "missing_modes": [\(missingModes.map(jsonString).joined(separator: ", "))],
         "conversion": \(conversionJSON(conversion)),
         "first_address": \(firstAddress), "count": \(count),
         "word_format": \(jsonString(wordFormat)),
         "word_format_description": \(jsonString(Self.wordFormatDescription(wordFormat))),
         "summation": \(jsonString(Self.summation)),
         "command_line": [\(commandLine.map(jsonString).joined(separator: ", "))],
         "library_version": \(jsonString(libraryVersion)),
         "cpu_path": \(jsonString(cpuPath)),
         "seconds": \(jsonNumber(seconds)),
         "summary": [\(summary.map(jsonString).joined(separator: ",\n  "))]
        }

        """
    }

    static let keys = ["format", "format_version", "scheme", "forests", "missing_modes", "conversion", "first_address",
                       "count", "word_format", "word_format_description", "summation", "command_line",
                       "library_version", "cpu_path", "seconds", "summary"]

    static func load(path: String) throws -> Sidecar {
        let root = try JSONNode.load(file: path)
        let versionNode = try root.member("format_version")
        if try root.member("format").string() == format, try versionNode.int() == 1 {
            throw fail("\(path) is a version-1 sidecar (no scheme or forest digests to check against); regenerate the table, or verify it without the sidecar (--sidecar of another path) giving --first, --count, --format and the conversion")
        }
        try root.expectFormat(format, version: version)
        try root.allowOnly(keys)
        let schemeNode = try root.member("scheme")
        try schemeNode.allowOnly(["kind", "name", "path", "sha256"])
        let kindNode = try schemeNode.member("kind")
        guard let kind = SchemeRecord.Kind(rawValue: try kindNode.string()) else {
            throw kindNode.fail("is not preset, file or all-modes")
        }
        let scheme = SchemeRecord(kind: kind, name: try schemeNode.member("name").string(),
                                  path: try schemeNode.optionalMember("path")?.string(),
                                  sha256: try schemeNode.optionalMember("sha256")?.string())
        if kind == .file && (scheme.path == nil || scheme.sha256 == nil) {
            throw schemeNode.fail("of kind file needs path and sha256")
        }
        var forests: [ForestRecord] = []
        for node in try root.member("forests").array() {
            try node.allowOnly(["scheme", "first_address", "address_count", "path", "sha256", "trees"])
            forests.append(ForestRecord(scheme: try node.member("scheme").string(),
                                        firstAddress: try unsigned(node.member("first_address")),
                                        addressCount: try unsigned(node.member("address_count")),
                                        path: try node.member("path").string(), sha256: try node.member("sha256").string(),
                                        trees: try node.member("trees").int(min: 0)))
        }
        let formatNode = try root.member("word_format")
        let wordFormat = try formatNode.string()
        guard wordFormat == "u16" || wordFormat == "emtf64" else { throw formatNode.fail("is not u16 or emtf64") }
        return Sidecar(scheme: scheme, forests: forests,
                       missingModes: try root.member("missing_modes").array().map { try $0.string() },
                       conversion: try conversionFromNode(try root.member("conversion")),
                       firstAddress: try unsigned(root.member("first_address")),
                       count: try unsigned(root.member("count")), wordFormat: wordFormat,
                       commandLine: try root.member("command_line").array().map { try $0.string() },
                       libraryVersion: try root.member("library_version").string(),
                       cpuPath: try root.member("cpu_path").string(),
                       seconds: try root.member("seconds").finiteDouble(),
                       summary: try root.member("summary").array().map { try $0.string() })
    }

    /// A JSON integer in [0, 2^64).
    static func unsigned(_ node: JSONNode) throws -> UInt64 {
        guard case .number(let text) = node.value, let value = UInt64(text) else {
            throw node.fail("is not a non-negative integer")
        }
        return value
    }
}
