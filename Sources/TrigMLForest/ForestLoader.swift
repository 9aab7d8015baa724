import TrigMLCore

extension Forest {
    /// Loads an XGBoost JSON model or a trigml.forest file, telling them
    /// apart by their top-level members ("learner" or "format").
    package static func load(path: String) throws -> Forest {
        let bytes = try readWholeFile(path)
        return try parse(bytes: bytes, source: path)
    }

    package static func parse(text: String, source: String) throws -> Forest {
        try parse(bytes: Array(text.utf8), source: source)
    }

    package static func parse(bytes: [UInt8], source: String) throws -> Forest {
        let root: JSONNode
        do {
            root = try JSONNode(JSON.parse(bytes, source: source), path: source + ":")
        } catch let e as TMLError {
            // XGBoost's binary formats start like JSON objects; say so.
            if source.hasSuffix(".ubj") || (bytes.count > 1 && bytes[0] == UInt8(ascii: "{") && bytes[1] != UInt8(ascii: "\"")
                && !(bytes[1] == 0x20 || bytes[1] == 0x0A || bytes[1] == 0x0D || bytes[1] == 0x09 || bytes[1] == UInt8(ascii: "}"))) {
                throw TMLError(e.code, e.message + " (UBJSON and legacy binary XGBoost models are not read: save the model with a .json name)")
            }
            throw e
        }
        guard case .object = root.value else {
            throw root.fail("is \(root.value.kindName), expected an object (an XGBoost JSON model or a trigml.forest file)")
        }
        if root.has("learner") { return try XGBoostModel.parse(root) }
        if root.has("format") { return try TrigMLForestFile.parse(root) }
        throw root.fail("is neither an XGBoost JSON model (no 'learner' member) nor a trigml.forest file (no 'format' member)")
    }
}

extension Forest {
    /// Bytes per node that building a forest from its parsed file holds at
    /// once: the file's per-node arrays (`TreeNodes`, 37), the checking walk
    /// (`ValidatedTree`, 32), the evaluation layout (`ForestLayout`: node
    /// record, float and double leaf, the mask numbering, about 60) and
    /// slack for arrays that grow by doubling.
    static let buildBytesPerNode = 192

    /// Both readers call this with the parsed trees before building any of
    /// them: the node arrays are sized by the file, so the whole build is
    /// checked first (ARCHITECTURE.md "Memory") and a forest that does not
    /// fit fails with `.outOfMemory` before anything is built. `leftKey` is
    /// the member whose length is the tree's node count.
    static func requireBuildMemory(trees: [JSONNode], leftKey: String, source: String) throws {
        var nodes = 0
        for tree in trees {
            if case .object(let members) = tree.value, case .array(let left)? = members[leftKey] { nodes += left.count }
        }
        let file = source.hasSuffix(":") ? String(source.dropLast()) : source
        try MemoryPreflight.require(MemoryPreflight.bytes(nodes, buildBytesPerNode),
                                    for: "building the forest of \(file) (\(trees.count) trees, \(nodes) nodes)")
    }
}
