import XCTest
@testable import TrigMLCore

/// Typed, path-aware access: every error names the file and the member.
final class JSONAccessTests: XCTestCase {
    func node(_ text: String) throws -> JSONNode { try JSONNode.parse(text: text, source: "m.json") }

    func error(_ body: () throws -> Void) -> TMLError? {
        do { try body(); return nil } catch { return error as? TMLError }
    }

    func testMembersAndPaths() throws {
        let root = try node(#"{"layers": [{"bias": [1, 2.5]}], "name": "x", "gone": null}"#)
        XCTAssertEqual(try root.member("layers").array()[0].member("bias").finiteFloats(count: 2), [1, 2.5])
        XCTAssertEqual(root.keys, ["gone", "layers", "name"])
        XCTAssertFalse(root.has("gone"), "null counts as absent")
        XCTAssertNil(try root.optionalMember("gone"))
        XCTAssertEqual(error { _ = try root.member("missing") }?.message, "m.json: missing is missing")
        let bias = try root.member("layers").array()[0].member("bias")
        XCTAssertEqual(error { _ = try bias.finiteFloats(count: 3) }?.code, .shape)
        XCTAssertEqual(error { _ = try bias.finiteFloats(count: 3) }?.message, "m.json: layers[0].bias has 2 entries, expected 3")
        XCTAssertEqual(error { _ = try root.member("name").int() }?.message, "m.json: name is a string, expected a number")
    }

    func testNumbers() throws {
        let root = try node(#"{"i": 3.0, "big": 1e999, "s": "5E-1", "f": 16777217, "neg": -4}"#)
        XCTAssertEqual(try root.member("i").int(), 3, "3.0-style integers are accepted")
        XCTAssertEqual(error { _ = try root.member("neg").int(min: 0) }?.message, "m.json: neg = -4 is outside [0, \(Int.max)]")
        XCTAssertEqual(error { _ = try root.member("big").finiteDouble() }?.code, .format)
        XCTAssertEqual(try root.member("s").double(lenient: true), 0.5, "XGBoost's numbers in strings")
        XCTAssertNotNil(error { _ = try root.member("s").double() })
        XCTAssertEqual(try root.member("f").float(), 16777216, "read once from the text to float32")
    }

    func testFormatHeader() throws {
        let good = try node(#"{"format": "trigml.x", "format_version": 1}"#)
        XCTAssertNoThrow(try good.expectFormat("trigml.x", version: 1))
        let wrongName = error { try good.expectFormat("trigml.y", version: 1) }
        XCTAssertEqual(wrongName?.code, .format)
        XCTAssertEqual(wrongName?.message, "m.json: format = 'trigml.x', expected 'trigml.y'")
        let newer = error { try node(#"{"format": "trigml.x", "format_version": 2}"#).expectFormat("trigml.x", version: 1) }
        XCTAssertEqual(newer?.code, .unsupported)
        XCTAssertEqual(newer?.message, "m.json: format_version = 2; this library reads version 1")
    }

    enum Colour: String { case red, blue }

    func testEnumMember() throws {
        let root = try node(#"{"c": "red", "d": "green"}"#)
        XCTAssertEqual(try root.enumMember("c", Colour.self, choices: "red, blue"), .red)
        XCTAssertEqual(error { _ = try root.enumMember("d", Colour.self, choices: "red, blue") }?.message,
                       "m.json: d = 'green' is not one of red, blue")
    }

    func testLongArrays() throws {
        let root = try node(#"{"i": [1, -2, 9007199254740992], "f": [0.1, 1e999], "b": [0, 1, true, false], "bad": [1, 2.5]}"#)
        XCTAssertEqual(try root.member("i").intArray(), [1, -2, 1 << 53])
        let floats = try root.member("f").floatArray()
        XCTAssertEqual(floats[0], Float("0.1"))
        XCTAssertEqual(floats[1], .infinity, "non-finite values are kept for the tree checks")
        XCTAssertEqual(try root.member("b").flagArray(), [false, true, true, false])
        XCTAssertEqual(error { _ = try root.member("bad").intArray() }?.message, "m.json: bad[1] is '2.5', expected an integer")
        XCTAssertEqual(error { _ = try root.member("i").flagArray() }?.message, "m.json: i[1] is '-2', expected true/false or 0/1")
    }

    func testCheckedCount() throws {
        XCTAssertEqual(try checkedCount(10, elementBytes: 4, what: "n"), 10)
        XCTAssertThrowsError(try checkedCount(1 << 46, elementBytes: 4, what: "n"))
        XCTAssertThrowsError(try checkedCount(.max, elementBytes: 1, perItem: 2, what: "n"))
    }
}

/// Strict formats: an unknown key is an error naming its path and the
/// nearest known key.
final class StrictKeyTests: XCTestCase {
    func testUnknownKeyNamesPathAndNearestKey() throws {
        let root = try JSONNode.parse(text: #"{"fields": [{"name": "a", "linaer": 1}]}"#, source: "s.json")
        let field = try root.member("fields").array()[0]
        XCTAssertNoThrow(try root.allowOnly(["fields", "format"]))
        XCTAssertThrowsError(try field.allowOnly(["name", "linear", "width"])) { error in
            XCTAssertEqual((error as? TMLError)?.code, .format)
            XCTAssertEqual((error as? TMLError)?.message,
                           "s.json: fields[0].linaer is not a known key; did you mean 'linear'?")
        }
        XCTAssertThrowsError(try field.allowOnly(["name"])) { error in
            XCTAssertEqual((error as? TMLError)?.message, "s.json: fields[0].linaer is not a known key; known keys: name")
        }
    }

    func testNearestName() {
        XCTAssertEqual(nearestName(to: "--frist", among: ["--first", "--count", "--format"]), "--first")
        XCTAssertEqual(nearestName(to: "generat", among: ["generate", "verify", "lookup"]), "generate")
        XCTAssertNil(nearestName(to: "zzzzzz", among: ["first", "count"]))
        XCTAssertEqual(editDistance(Array("kitten".unicodeScalars), Array("sitting".unicodeScalars)), 3)
    }
}
