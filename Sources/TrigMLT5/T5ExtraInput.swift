import TrigMLCore

/// One input a version-2 model reads from the host's columns, appended after
/// the feature set's inputs (docs/formats/t5_model.md, "Version 2").
///
/// LST's newer networks read quantities computed elsewhere in LST: the parent
/// T3s' DNN class probabilities (cmssw RecoTracker/LSTCore/interface/TripletsSoA.h:
/// `fakeScore`, `promptScore`, `displacedScore`), per-hit quantities and per-T5
/// ones (the T5 embedding network of cms-sw/cmssw#48249 reads the six parent
/// T3 scores). They reach a candidate through the same index chain as its
/// anchors: T5 -> inner/outer T3 -> anchor MDs.
package struct T5ExtraInput: Equatable {
    package enum Source: Equatable {
        /// Anchor MD 1...5 (md1...md5 of the feature definitions).
        case md(anchor: Int)
        /// The inner (first) or outer (second) T3 of `t5_t3`.
        case t3(outer: Bool)
        /// The candidate itself.
        case t5
    }

    package let source: Source
    package let column: Int

    /// Column indices above this are not a plausible host table.
    package static let maxColumn = 65_535

    /// What the entry reads, for messages: "md anchor 3 column 1".
    package var description: String {
        switch source {
        case .md(let anchor): return "md anchor \(anchor) column \(column)"
        case .t3(let outer): return "t3 \(outer ? "outer" : "inner") column \(column)"
        case .t5: return "t5 column \(column)"
        }
    }

    static func parse(_ node: JSONNode) throws -> T5ExtraInput {
        let fromNode = try node.member("from")
        let from = try fromNode.string()
        let source: Source
        switch from {
        case "md":
            try node.allowOnly(["from", "anchor", "column"])
            source = .md(anchor: try node.member("anchor").int(min: 1, max: 5))
        case "t3":
            try node.allowOnly(["from", "t3", "column"])
            let roleNode = try node.member("t3")
            let role = try roleNode.string()
            guard role == "inner" || role == "outer" else {
                throw roleNode.fail("= '\(role)' is not a T3 of the quintuplet (inner, outer)")
            }
            source = .t3(outer: role == "outer")
        case "t5":
            try node.allowOnly(["from", "column"])
            source = .t5
        default:
            throw fromNode.fail("= '\(from)' is not a host table (md, t3, t5)")
        }
        return T5ExtraInput(source: source, column: try node.member("column").int(min: 0, max: maxColumn))
    }
}
