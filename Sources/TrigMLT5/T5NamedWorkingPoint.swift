import TrigMLCore

/// A working point with the name a host chooses it by. LST keeps more than
/// one retention table: the 98% `kWp98` for building T5s and the 93% `kWp93`
/// for promoting a T5 that fails the r-z cut (cmssw
/// RecoTracker/LSTCore/interface/alpaka/Common.h; cms-sw/cmssw#51866).
package struct T5NamedWorkingPoint {
    package let name: String
    package let point: T5WorkingPoint

    /// Name of a version-1 file's single `working_point`.
    package static let version1Name = "default"

    /// The members of each kind (T5WorkingPoint.parse reads them).
    static func allowedKeys(_ node: JSONNode, named: Bool) throws -> [String] {
        let kindNode = try node.member("kind")
        var keys: [String]
        switch try kindNode.string() {
        case "single": keys = ["kind", "cut"]
        case "pt_eta_table": keys = ["kind", "pt_edges_gev", "eta_bin_width", "eta_bins", "cuts"]
        default: keys = ["kind"]  // T5WorkingPoint.parse names the bad kind
        }
        if named { keys.append("name") }
        return keys
    }

    /// A version-1 `working_point` object (no name).
    static func parseUnnamed(_ node: JSONNode) throws -> T5NamedWorkingPoint {
        try node.allowOnly(allowedKeys(node, named: false))
        return T5NamedWorkingPoint(name: version1Name, point: try inconsistentFileIsFormat { try T5WorkingPoint.parse(node) })
    }

    /// A version-2 `working_points` list: at least one, names unique and non-empty.
    static func parseList(_ node: JSONNode) throws -> [T5NamedWorkingPoint] {
        let items = try node.array()
        guard !items.isEmpty, items.count <= 64 else {
            throw TMLError.format("\(node.path) must hold 1 to 64 working points, found \(items.count)")
        }
        var points: [T5NamedWorkingPoint] = []
        for item in items {
            try item.allowOnly(allowedKeys(item, named: true))
            let nameNode = try item.member("name")
            let name = try nameNode.string()
            guard !name.isEmpty, name.utf8.count <= 256, !name.utf8.contains(0) else {
                throw nameNode.fail("= '\(name)' must be 1 to 256 bytes with no NUL")
            }
            if let first = points.firstIndex(where: { $0.name == name }) {
                throw nameNode.fail("= '\(name)' is already the name of \(node.path)[\(first)]; working-point names must be unique")
            }
            points.append(T5NamedWorkingPoint(name: name, point: try inconsistentFileIsFormat { try T5WorkingPoint.parse(item) }))
        }
        return points
    }
}

/// A model file whose members do not fit together (a cut table of the wrong
/// shape, a mean vector of the wrong length) is malformed file content:
/// `TML_ERR_FORMAT` naming the key, as for every other inconsistency of a
/// T5 model file. The shared readers report such sizes as shape errors.
func inconsistentFileIsFormat<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as TMLError where error.code == .shape {
        throw TMLError.format(error.message)
    }
}
