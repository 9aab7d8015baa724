import XCTest
import TrigMLCore
@testable import TrigMLForest

/// The trigml.forest format refuses unknown keys at every level, naming the
/// key's path and the nearest valid key; XGBoost JSON keeps accepting what
/// XGBoost writes (its members are XGBoost's, not ours).
final class OwnFormatStrictTests: XCTestCase {
    let tree = """
    {"left": [1, -1, -1], "right": [2, -1, -1], "feature": [1, 0, 0],
     "threshold": [0.25, 0, 0], "value": [0, 0.1, 0.2]}
    """

    /// `text` is refused with TML_ERR_FORMAT and a message holding every
    /// fragment.
    func assertRefused(_ text: String, _ fragments: [String], line: UInt = #line) {
        let error = loadError(text)
        XCTAssertEqual(error?.code, .format, "\(String(describing: error))", line: line)
        for fragment in fragments {
            XCTAssertTrue(error?.message.contains(fragment) == true, "'\(error?.message ?? "")' lacks '\(fragment)'", line: line)
        }
    }

    func testUnknownKeysAreRefusedAtEveryLevel() throws {
        XCTAssertNil(loadError(ownForest(featureCount: 2, trees: [tree, tree])))
        let top = ownForest(featureCount: 2, trees: [tree]).replacing("\"base_score\"", with: "\"base_scoer\": 1, \"base_score\"")
        assertRefused(top, ["t.json: base_scoer is not a known key", "did you mean 'base_score'?"])
        let misspelt = tree.replacing("\"value\"", with: "\"defualt_left\": [true, false, false], \"value\"")
        assertRefused(ownForest(featureCount: 2, trees: [tree, misspelt]),
                      ["trees[1].defualt_left is not a known key", "did you mean 'default_left'?"])
        // Far from every key: the message lists them instead of guessing.
        let unrelated = tree.replacing("\"value\"", with: "\"zzzzzzzzzzzz\": 0, \"value\"")
        assertRefused(ownForest(featureCount: 2, trees: [unrelated]), ["trees[0].zzzzzzzzzzzz", "known keys:", "threshold"])
    }

    func testXGBoostMembersStayOpen() throws {
        // XGBoost adds members between versions; an extra one is not an error.
        let extra = xgbModel(trees: [stump]).replacing("\"version\"", with: "\"future_member\": {\"x\": 1}, \"version\"")
        XCTAssertNil(loadError(extra))
    }
}
