import XCTest
@testable import TrigMLCore

/// The strict JSON reader: what it accepts, and that every refusal is a
/// format error naming the line and column.
final class JSONReaderTests: XCTestCase {
    func parse(_ text: String) throws -> JSON { try JSON.parse(Array(text.utf8), source: "t.json") }

    func formatError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> TMLError? {
        do {
            _ = try parse(text)
            XCTFail("accepted \(text)", file: file, line: line)
            return nil
        } catch let error as TMLError {
            XCTAssertEqual(error.code, .format, file: file, line: line)
            return error
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return nil
        }
    }

    func testValuesAndNumbersKeptAsText() throws {
        guard case .object(let members) = try parse(#" {"a": [1, -0.5e+3, true, false, null], "b": "x"} "#),
              case .array(let items)? = members["a"] else { return XCTFail("not an object with an array") }
        XCTAssertEqual(items.count, 5)
        guard case .number(let text) = items[1] else { return XCTFail("not a number") }
        XCTAssertEqual(text, "-0.5e+3", "numbers keep their source text")
        guard case .bool(true) = items[2], case .null = items[4] else { return XCTFail("literals") }
        guard case .string("x")? = members["b"] else { return XCTFail("string") }
    }

    func testStringEscapesAndSurrogatePairs() throws {
        guard case .string(let s) = try parse(#""q\"b\\s\/\b\f\n\r\t\u00e9\ud83d\ude00""#) else { return XCTFail() }
        XCTAssertEqual(s, "q\"b\\s/\u{8}\u{c}\n\r\té😀")
    }

    func testRefusalsNameLineAndColumn() {
        XCTAssertEqual(formatError("{\n  \"a\": 1,\n  \"a\": 2}")?.message,
                       "t.json: JSON error at line 3, column 9: duplicate member \"a\"")
        XCTAssertTrue(formatError("[1] 2")?.message.contains("unexpected data after the top-level value") ?? false)
        XCTAssertTrue(formatError("\"a\u{1}b\"")?.message.contains("control character") ?? false)
        XCTAssertTrue(formatError(#""\ud83d""#)?.message.contains("unpaired surrogate") ?? false)
        XCTAssertTrue(formatError(#""\ude00""#)?.message.contains("unpaired surrogate") ?? false)
        XCTAssertTrue(formatError(#""\x""#)?.message.contains("invalid escape") ?? false)
        XCTAssertTrue(formatError("[1,")?.message.contains("unexpected end of file") ?? false)
        XCTAssertTrue(formatError("")?.message.contains("unexpected end of file") ?? false)
        XCTAssertTrue(formatError("[01]")?.message.contains("expected ',' or ']'") ?? false)
        XCTAssertTrue(formatError("[1.]")?.message.contains("digits expected after '.'") ?? false)
        XCTAssertTrue(formatError("[1e]")?.message.contains("exponent digits expected") ?? false)
        XCTAssertTrue(formatError("[tru]")?.message.contains("invalid literal") ?? false)
        XCTAssertTrue(formatError("{1: 2}")?.message.contains("quoted member name") ?? false)
        XCTAssertTrue(formatError("[" + String(repeating: "9", count: 401) + "]")?.message.contains("longer than 400") ?? false)
    }

    func testNestingIsBounded() throws {
        // Values inside the top-level array are at depth 1: `maxDepth`
        // nested arrays are the most the reader takes.
        let tooDeep = JSON.maxDepth + 1
        let deep = String(repeating: "[", count: tooDeep) + String(repeating: "]", count: tooDeep)
        XCTAssertTrue(formatError(deep)?.message.contains("nesting deeper than 64") ?? false)
        let allowed = JSON.maxDepth
        XCTAssertNoThrow(try parse(String(repeating: "[", count: allowed) + String(repeating: "]", count: allowed)))
    }

    func testInvalidUTF8IsRepairedNotTrusted() throws {
        guard case .string(let s) = try JSON.parse([0x22, 0x61, 0xFF, 0x62, 0x22], source: "t") else { return XCTFail() }
        XCTAssertEqual(s, "a\u{FFFD}b")
    }
}
