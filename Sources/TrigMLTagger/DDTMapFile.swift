import TrigMLCore

/// The DDT map file (JSON; README.md, "DDT map file").
extension DDTMap {
    public static let formatName = "trigml.ddt-map"
    public static let formatVersion = 1

    public func jsonText() -> String {
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
        var text = "{\n"
        text += "  \"format\": \"\(Self.formatName)\",\n"
        text += "  \"format_version\": \(Self.formatVersion),\n"
        text += "  \"provenance\": \(jsonString(provenance)),\n"
        text += "  \"background_efficiency\": \(jsonNumber(s.backgroundEfficiency)),\n"
        text += "  \"direction\": \"\(s.direction.rawValue)\",\n"
        text += "  \"rho\": \(axis(s.rho)),\n"
        text += "  \"pt\": \(axis(s.pt)),\n"
        text += "  \"min_entries\": \(s.minEntries),\n"
        text += "  \"empty_bins\": \"\(s.emptyBins.rawValue)\",\n"
        text += "  \"smoothing\": \"\(s.smoothing.rawValue)\",\n"
        text += "  \"neighbours\": \(s.neighbours),\n"
        text += "  \"values\": \(grid(values, jsonNumber)),\n"
        text += "  \"entries\": \(grid(entries) { String($0) }),\n"
        text += "  \"filled\": \(grid(filled) { $0 ? "true" : "false" })\n"
        text += "}\n"
        return text
    }

    public func save(path: String) throws {
        try writeTextFile(jsonText(), to: path)
    }

    public static func load(path: String) throws -> DDTMap {
        try parse(JSONNode.load(file: path))
    }

    public static func parse(text: String, source: String) throws -> DDTMap {
        try parse(JSONNode.parse(text: text, source: source))
    }

    static func axis(_ node: JSONNode, name: String) throws -> DDTAxis {
        do {
            return try DDTAxis(min: node.member("min").finiteDouble(), max: node.member("max").finiteDouble(),
                               bins: node.member("bins").int(min: 1, max: DDTAxis.maxBins), name: name)
        } catch let e as TMLError where e.code == .invalidArgument {
            throw node.fail(e.message)
        }
    }

    static func enumMember<T: RawRepresentable>(_ root: JSONNode, _ key: String, _ type: T.Type,
                                                 choices: String) throws -> T where T.RawValue == String {
        let node = try root.member(key)
        let name = try node.string()
        guard let v = T(rawValue: name) else { throw node.fail("= '\(name)' is not one of \(choices)") }
        return v
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

    public static func parse(_ root: JSONNode) throws -> DDTMap {
        try root.expectFormat(formatName, version: formatVersion)
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
                direction: enumMember(root, "direction", DDTSettings.Direction.self, choices: "higher_passes, lower_passes"),
                emptyBins: root.has("empty_bins") ? enumMember(root, "empty_bins", DDTSettings.EmptyBins.self, choices: "fill, fail") : .fill,
                smoothing: root.has("smoothing") ? enumMember(root, "smoothing", DDTSettings.Smoothing.self, choices: "none, knn") : .none,
                neighbours: root.optionalMember("neighbours")?.int(min: 1, max: DDTSettings.maxNeighbours) ?? 5)
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
