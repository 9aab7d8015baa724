import TrigMLCore

/// The user scheme file ("trigml.lut-scheme", docs/formats/lut_scheme.md:
///
///     { "format": "trigml.lut-scheme", "format_version": 1, "name": "...",
///       "first_address": 0, "address_bits": 12,
///       "fields": [ {"name", "offset", "width", and one of
///                     "table": [2^width numbers]        decode table
///                     "linear": {"scale": a, "offset": b} value = a*raw + b
///                     "outputs": {"name": table or linear, ...}  several
///                     (none: the raw value) } ],
///       "values": [ {"name", "op", "args": [names or numbers]} ],
///       "inputs": [names of field outputs or values, in forest order] }
///
/// A single-output field's output is named like the field. Values may use
/// field outputs and earlier values only; ops are `LUTOperation`.
enum SchemeFile {
    static let formatName = "trigml.lut-scheme"
    static let formatVersion = 1
    /// The members each object may have: a misspelt key (`"linaer"`) would
    /// otherwise leave a field decoding as its raw value without a word.
    static let rootKeys = ["format", "format_version", "name", "first_address", "address_bits", "fields",
                           "values", "inputs"]
    static let fieldKeys = ["name", "offset", "width", "table", "linear", "outputs"]
    static let decodings = ["table", "linear", "outputs"]
    static let linearKeys = ["scale", "offset"]
    static let valueKeys = ["name", "op", "args"]

    /// Every error names the file (the contract's "what, where"): the
    /// semantic checks of the builder know only the scheme's name.
    static func load(path: String) throws -> LUTScheme {
        do {
            return try parse(JSONNode.load(file: path))
        } catch let error as TMLError where !error.message.contains(path) {
            throw TMLError(error.code, "\(path): \(error.message)")
        }
    }

    static func parse(_ root: JSONNode) throws -> LUTScheme {
        try root.expectFormat(formatName, version: formatVersion)
        try root.allowOnly(rootKeys)
        let name = try root.optionalMember("name")?.string() ?? "user scheme"
        let bitsNode = try root.member("address_bits")
        let bits = try bitsNode.int(min: 0, max: LUTScheme.maxAddressBits)
        let firstNode = try root.member("first_address")
        // Integers up to 2^53 are exact in the JSON reader; larger first
        // addresses are refused rather than rounded.
        let first = try firstNode.int(min: 0, max: 1 << 53)
        var b = LUTSchemeBuilder(name: name)
        for fieldNode in try root.member("fields").array() {
            try fieldNode.allowOnly(fieldKeys)
            let given = decodings.filter { fieldNode.has($0) }
            if given.count > 1 {
                throw fieldNode.fail("has \(given.map { "'\($0)'" }.joined(separator: " and ")); a field decodes through one of them")
            }
            let fname = try fieldNode.member("name").string()
            let offset = try fieldNode.member("offset").int(min: 0, max: LUTScheme.maxAddressBits)
            let width = try fieldNode.member("width").int(min: 1, max: LUTScheme.maxFieldWidth)
            let size = 1 << width
            func decode(_ node: JSONNode) throws -> [Double] {
                if case .array = node.value { return try node.finiteDoubles(count: size) }
                try node.allowOnly(linearKeys)
                let scale = try node.member("scale").finiteDouble()
                let shift = try node.optionalMember("offset")?.finiteDouble() ?? 0
                return (0..<size).map { scale * Double($0) + shift }
            }
            var outputs: [(String, [Double])] = []
            if let t = try fieldNode.optionalMember("table") {
                outputs.append((fname, try decode(t)))
            } else if let l = try fieldNode.optionalMember("linear") {
                outputs.append((fname, try decode(l)))
            } else if let o = try fieldNode.optionalMember("outputs") {
                let keys = o.keys
                guard !keys.isEmpty else { throw o.fail("has no outputs") }
                for key in keys { outputs.append((key, try decode(try o.member(key)))) }
            } else {
                outputs.append((fname, (0..<size).map(Double.init)))
            }
            try b.addField(fname, offset: offset, width: width, outputs: outputs)
        }
        if let valuesNode = try root.optionalMember("values") {
            for v in try valuesNode.array() {
                try v.allowOnly(valueKeys)
                let vname = try v.member("name").string()
                let opNode = try v.member("op")
                let opName = try opNode.string()
                guard let op = LUTOperation(rawValue: opName) else {
                    throw opNode.fail("= '\(opName)' is not one of \(LUTOperation.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                var args: [LUTOperand] = []
                for a in try v.member("args").array() {
                    switch a.value {
                    case .string(let ref): args.append(try b.operand(ref))
                    default: args.append(.constant(try a.finiteDouble()))
                    }
                }
                try b.derive(vname, op, args)
            }
        }
        let inputs = try root.member("inputs").array().map { try $0.string() }
        return try b.build(firstAddress: UInt64(first), addressBits: bits, inputs: inputs)
    }
}

extension LUTScheme {
    package static func load(path: String) throws -> LUTScheme { try SchemeFile.load(path: path) }
    package static func parse(text: String, source: String) throws -> LUTScheme {
        try SchemeFile.parse(JSONNode.parse(text: text, source: source))
    }
}
