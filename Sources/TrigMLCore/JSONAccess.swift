/// Typed, path-aware access to a parsed JSON document, so that every error
/// names the file and the member ("model.json: layers[1].bias[3] is not a
/// finite number").
package struct JSONNode {
    package let value: JSON
    /// The path is spelt out only when asked for (an error, a message):
    /// a node keeps its parent's path and its own last step. Building
    /// "file: layers[1].bias[3]" for every element of every array was a
    /// third of the load time of a small model (perf, soak_load_free).
    private let parentPath: String
    private let step: Step

    private enum Step {
        case none
        case index(Int)
        case member(String)
    }

    package init(_ value: JSON, path: String) {
        self.value = value
        self.parentPath = path
        self.step = .none
    }

    private init(_ value: JSON, parentPath: String, step: Step) {
        self.value = value
        self.parentPath = parentPath
        self.step = step
    }

    package var path: String {
        switch step {
        case .none: return parentPath
        case .index(let i): return "\(parentPath)[\(i)]"
        case .member(let name): return Self.child(parentPath, name)
        }
    }

    package static func load(file: String) throws -> JSONNode {
        let bytes = try readWholeFile(file)
        return try JSONNode(JSON.parse(bytes, source: file), path: file + ":")
    }

    package static func parse(text: String, source: String) throws -> JSONNode {
        try JSONNode(JSON.parse(Array(text.utf8), source: source), path: source + ":")
    }

    func child(_ name: String) -> String { Self.child(path, name) }

    private static func child(_ path: String, _ name: String) -> String {
        path.hasSuffix(":") ? path + " " + name : path + "." + name
    }

    package func fail(_ what: String) -> TMLError { TMLError.format("\(path) \(what)") }

    package func has(_ key: String) -> Bool {
        if case .object(let m) = value, let v = m[key] { if case .null = v { return false }; return true }
        return false
    }

    package func member(_ key: String) throws -> JSONNode {
        guard case .object(let m) = value else { throw fail("is \(value.kindName), expected an object") }
        guard let v = m[key] else { throw TMLError.format("\(child(key)) is missing") }
        return JSONNode(v, parentPath: path, step: .member(key))
    }

    package func optionalMember(_ key: String) throws -> JSONNode? {
        guard case .object(let m) = value else { throw fail("is \(value.kindName), expected an object") }
        guard let v = m[key] else { return nil }
        if case .null = v { return nil }
        return JSONNode(v, parentPath: path, step: .member(key))
    }

    /// Refuses any member not in `known` (strict formats: a misspelt key
    /// is an error, not a silently ignored option). The message holds the
    /// key's path and the nearest known key.
    package func allowOnly(_ known: [String]) throws {
        guard case .object(let m) = value else { throw fail("is \(value.kindName), expected an object") }
        for key in m.keys.sorted() where !known.contains(key) {
            let hint = nearestName(to: key, among: known).map { "; did you mean '\($0)'?" }
                ?? "; known keys: \(known.sorted().joined(separator: ", "))"
            throw TMLError.format("\(child(key)) is not a known key\(hint)")
        }
    }

    package var keys: [String] {
        if case .object(let m) = value { return m.keys.sorted() }
        return []
    }

    package func array() throws -> [JSONNode] {
        guard case .array(let items) = value else { throw fail("is \(value.kindName), expected an array") }
        let parent = path
        var out: [JSONNode] = []
        out.reserveCapacity(items.count)
        for (i, v) in items.enumerated() { out.append(JSONNode(v, parentPath: parent, step: .index(i))) }
        return out
    }

    package func string() throws -> String {
        guard case .string(let s) = value else { throw fail("is \(value.kindName), expected a string") }
        return s
    }

    package func bool() throws -> Bool {
        guard case .bool(let b) = value else { throw fail("is \(value.kindName), expected true or false") }
        return b
    }

    /// XGBoost writes some numbers as strings ("5E-1"); `lenient` accepts them.
    func numberText(lenient: Bool) throws -> String {
        switch value {
        case .number(let t): return t
        case .string(let t) where lenient: return t
        default: throw fail("is \(value.kindName), expected a number")
        }
    }

    /// The number read once from its decimal text into `T` (correctly
    /// rounded: a float32 is parsed as Float, not via Double).
    func number<T: LosslessStringConvertible>(lenient: Bool) throws -> T {
        let t = try numberText(lenient: lenient)
        guard let value = T(t) else { throw fail("'\(t)' is not a number") }
        return value
    }

    package func double(lenient: Bool = false) throws -> Double { try number(lenient: lenient) }

    package func finiteDouble(lenient: Bool = false) throws -> Double {
        let d = try double(lenient: lenient)
        guard d.isFinite else { throw fail("is not a finite number") }
        return d
    }

    package func float(lenient: Bool = false) throws -> Float { try number(lenient: lenient) }

    package func finiteFloat(lenient: Bool = false) throws -> Float {
        let f = try float(lenient: lenient)
        guard f.isFinite else { throw fail("is not a finite float32 number") }
        return f
    }

    package func int(min: Int = Int.min, max: Int = Int.max, lenient: Bool = false) throws -> Int {
        let t = try numberText(lenient: lenient)
        guard let i = Int(t) else {
            // Accept 3.0-style integers written by some exporters.
            if let d = Double(t), d.rounded() == d, abs(d) < 9e15 { return try rangeChecked(Int(d), min, max) }
            throw fail("'\(t)' is not an integer")
        }
        return try rangeChecked(i, min, max)
    }

    func rangeChecked(_ i: Int, _ lo: Int, _ hi: Int) throws -> Int {
        guard i >= lo && i <= hi else { throw fail("= \(i) is outside [\(lo), \(hi)]") }
        return i
    }

    /// The entries of an array, `expected` of them when given.
    func entries(count expected: Int?) throws -> [JSONNode] {
        let items = try array()
        if let n = expected, items.count != n {
            throw TMLError.shape("\(path) has \(items.count) entries, expected \(n)")
        }
        return items
    }

    package func finiteFloats(count expected: Int? = nil) throws -> [Float] {
        try finiteNumbers(count: expected) { try $0.finiteFloat() }
    }

    package func finiteDoubles(count expected: Int? = nil) throws -> [Double] {
        try finiteNumbers(count: expected) { try $0.finiteDouble() }
    }

    /// The entries as finite numbers, read straight from the parsed values;
    /// an entry that is not one goes through `checked` (the per-node
    /// reader), which throws the same error the node-by-node reading gave.
    private func finiteNumbers<T: LosslessStringConvertible & BinaryFloatingPoint>(
        count expected: Int?, _ checked: (JSONNode) throws -> T) throws -> [T] {
        guard case .array(let items) = value else { return try entries(count: expected).map(checked) }
        if let n = expected, items.count != n {
            throw TMLError.shape("\(path) has \(items.count) entries, expected \(n)")
        }
        var out: [T] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            if case .number(let t) = item, let v = T(t), v.isFinite {
                out.append(v)
            } else {
                out.append(try checked(JSONNode(item, parentPath: path, step: .index(i))))
            }
        }
        return out
    }
}

extension JSONNode {
    /// Checks the `format` / `format_version` header every TrigML file
    /// starts with: a wrong name is a format error, a newer version is
    /// unsupported (the file may be fine, this library is too old).
    package func expectFormat(_ name: String, version: Int) throws {
        _ = try expectFormat(name, versions: version...version)
    }

    /// The same for a format this library reads in several versions;
    /// returns the file's version.
    package func expectFormat(_ name: String, versions: ClosedRange<Int>) throws -> Int {
        let formatNode = try member("format")
        let format = try formatNode.string()
        guard format == name else { throw formatNode.fail("= '\(format)', expected '\(name)'") }
        let versionNode = try member("format_version")
        let found = try versionNode.int()
        guard versions.contains(found) else {
            let readable = versions.count == 1 ? "version \(versions.lowerBound)"
                : "versions \(versions.lowerBound) to \(versions.upperBound)"
            throw TMLError.unsupported("\(versionNode.path) = \(found); this library reads \(readable)")
        }
        return found
    }

    /// A string member that must name one case of `T` (e.g. a feature set).
    package func enumMember<T: RawRepresentable>(_ key: String, _ type: T.Type, choices: String) throws -> T
        where T.RawValue == String {
        let node = try member(key)
        let name = try node.string()
        guard let value = T(rawValue: name) else { throw node.fail("= '\(name)' is not one of \(choices)") }
        return value
    }
}

/// A file format read from JSON (T5 and tagger models, DDT maps): the
/// format's own `parse(_ root:)`, and loading from a path or a text through
/// the one reader, so every format reports errors the same way.
package protocol JSONFileFormat {
    static func parse(_ root: JSONNode) throws -> Self
}

extension JSONFileFormat {
    package static func load(path: String) throws -> Self {
        try parse(JSONNode.load(file: path))
    }

    package static func parse(text: String, source: String) throws -> Self {
        try parse(JSONNode.parse(text: text, source: source))
    }
}
