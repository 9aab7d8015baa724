// Command-line options: `--key value` pairs and the two flags.

struct Failure: Error { let message: String }

func fail(_ m: String) -> Failure { Failure(message: m) }

struct Options {
    var values: [String: String] = [:]
    var flags: Set<String> = []
    init(_ args: ArraySlice<String>) throws {
        var i = args.startIndex
        while i < args.endIndex {
            let a = args[i]
            guard a.hasPrefix("--") else { throw fail("unexpected argument '\(a)'") }
            let key = String(a.dropFirst(2))
            if ["all-modes", "full"].contains(key) { flags.insert(key); i += 1; continue }
            guard i + 1 < args.endIndex else { throw fail("\(a) needs a value") }
            values[key] = args[i + 1]
            i += 2
        }
    }
    func string(_ k: String) throws -> String {
        guard let v = values[k] else { throw fail("--\(k) is required") }
        return v
    }
    func uint(_ k: String) throws -> UInt64? {
        guard let v = values[k] else { return nil }
        let parsed = v.hasPrefix("0x") ? UInt64(v.dropFirst(2), radix: 16) : UInt64(v)
        guard let n = parsed else { throw fail("--\(k) '\(v)' is not a non-negative integer") }
        return n
    }
}
