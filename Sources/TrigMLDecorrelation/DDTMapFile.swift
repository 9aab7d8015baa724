import TrigMLCore

/// The DDT map file (JSON; docs/formats/ddt_map.md).
extension DDTMap: JSONFileFormat {
    package static let formatName = "trigml.ddt-map"
    /// Version 2 records `score_transform`; a version-1 file (written
    /// before it existed) is a map on the score as given: the identity.
    package static let formatVersion = 2
    static let rootKeys = ["format", "format_version", "provenance", "background_efficiency", "direction",
                           "rho", "pt", "min_entries", "empty_bins", "smoothing", "neighbours", "values",
                           "entries", "filled"]
    static let axisKeys = ["min", "max", "bins"]

    package func jsonText() -> String {
        let s = settings
        func axis(_ a: DDTAxis) -> String {
            "{\"min\": \(jsonNumber(a.min)), \"max\": \(jsonNumber(a.max)), \"bins\": \(a.bins)}"
        }
        func grid<T>(_ items: [T], _ show: (T) -> String) -> String {
            var rows: [String] = []
            for i in 0..<s.rho.bins {
                let row = items[(i * s.pt.bins)..<((i + 1) * s.pt.bins)].map(show).joined(separator: ", ")
                rows.append("    [" + row + "]")
            }
            return "[\n" + rows.joined(separator: ",\n") + "\n  ]"
        }
        let members: [(String, String)] = [
            ("format", jsonString(Self.formatName)),
            ("format_version", String(Self.formatVersion)),
            ("provenance", jsonString(provenance)),
            ("background_efficiency", jsonNumber(s.backgroundEfficiency)),
            ("direction", jsonString(s.direction.rawValue)),
            ("score_transform", jsonString(s.scoreTransform.rawValue)),
            ("rho", axis(s.rho)),
            ("pt", axis(s.pt)),
            ("min_entries", String(s.minEntries)),
            ("empty_bins", jsonString(s.emptyBins.rawValue)),
            ("smoothing", jsonString(s.smoothing.rawValue)),
            ("neighbours", String(s.neighbours)),
            ("values", grid(values, jsonNumber)),
            ("entries", grid(entries) { String($0) }),
            ("filled", grid(filled) { $0 ? "true" : "false" }),
        ]
        return "{\n" + members.map { "  \"\($0.0)\": \($0.1)" }.joined(separator: ",\n") + "\n}\n"
    }

    package func save(path: String) throws {
        try writeTextFile(jsonText(), to: path)
    }

    static func axis(_ node: JSONNode, name: String) throws -> DDTAxis {
        try node.allowOnly(axisKeys)
        do {
            return try DDTAxis(min: node.member("min").finiteDouble(), max: node.member("max").finiteDouble(),
                               bins: node.member("bins").int(min: 1, max: DDTAxis.maxBins), name: name)
        } catch let e as TMLError where e.code == .invalidArgument {
            throw node.fail(e.message)
        }
    }

    /// A rho-major grid: `rho.bins` rows of `pt.bins` entries each.
    static func grid<T>(_ node: JSONNode, rows: Int, columns: Int, _ read: (JSONNode) throws -> T) throws -> [T] {
        let rowNodes = try node.array()
        guard rowNodes.count == rows else {
            throw TMLError.shape("\(node.path) has \(rowNodes.count) rows, expected \(rows) (one per rho bin)")
        }
        var out: [T] = []
        out.reserveCapacity(rows * columns)
        for row in rowNodes {
            let items = try row.array()
            guard items.count == columns else {
                throw TMLError.shape("\(row.path) has \(items.count) entries, expected \(columns) (one per pT bin)")
            }
            for item in items { out.append(try read(item)) }
        }
        return out
    }

    package static func parse(_ root: JSONNode) throws -> DDTMap {
        let version = try root.expectFormat(formatName, versions: 1...formatVersion)
        if version == 1, let stray = try root.optionalMember("score_transform") {
            throw stray.fail("needs format_version 2 (a version-1 map is on the score as given)")
        }
        try root.allowOnly(version == 1 ? rootKeys : rootKeys + ["score_transform"])
        let transform: ScoreTransform = version == 1 ? .identity
            : try root.enumMember("score_transform", ScoreTransform.self, choices: "identity, logit")
        let qNode = try root.member("background_efficiency")
        let q = try qNode.finiteDouble()
        guard q > 0 && q < 1 else { throw qNode.fail("= \(q) is outside (0, 1)") }
        let rho = try axis(root.member("rho"), name: "rho")
        let pt = try axis(root.member("pt"), name: "pt")
        let settings: DDTSettings
        do {
            settings = try DDTSettings(
                backgroundEfficiency: q, rho: rho, pt: pt,
                minEntries: root.optionalMember("min_entries")?.int(min: 1, max: Int(Int32.max)) ?? 1,
                direction: root.enumMember("direction", DDTSettings.Direction.self, choices: "higher_passes, lower_passes"),
                emptyBins: root.has("empty_bins") ? root.enumMember("empty_bins", DDTSettings.EmptyBins.self, choices: "fill, fail") : .fill,
                smoothing: root.has("smoothing") ? root.enumMember("smoothing", DDTSettings.Smoothing.self, choices: "none, knn") : .none,
                neighbours: root.optionalMember("neighbours")?.int(min: 1, max: DDTSettings.maxNeighbours) ?? 5,
                scoreTransform: transform)
        } catch let e as TMLError where e.code == .invalidArgument {
            throw root.fail(e.message)
        }
        let values = try grid(root.member("values"), rows: rho.bins, columns: pt.bins) { try $0.finiteDouble() }
        let entries = try root.optionalMember("entries").map {
            try grid($0, rows: rho.bins, columns: pt.bins) { try $0.int(min: 0) }
        } ?? Array(repeating: 0, count: values.count)
        let filled = try root.optionalMember("filled").map {
            try grid($0, rows: rho.bins, columns: pt.bins) { try $0.bool() }
        } ?? Array(repeating: true, count: values.count)
        let provenance = try root.optionalMember("provenance")?.string() ?? ""
        return DDTMap(settings: settings, values: values, entries: entries, filled: filled, provenance: provenance)
    }
}
