import XCTest
@testable import TrigMLCore

/// Whole-file reading, atomic text-file writing and the JSON writer.
final class FileTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        var template = Array("/tmp/trigml-core-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw XCTSkip("mkdtemp failed") }
        directory = String(cString: made)
    }

    override func tearDown() {
        if let dir = opendir(directory) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                if name != "." && name != ".." { unlink(directory + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(directory)
    }

    func code(_ body: () throws -> Void) -> TMLError.Code? {
        do { try body(); return nil } catch { return (error as? TMLError)?.code }
    }

    func testWriteThenReadBack() throws {
        let path = directory + "/a.json"
        try writeTextFile("{\"x\": 1}\n", to: path)
        XCTAssertEqual(try readWholeFile(path), Array("{\"x\": 1}\n".utf8))
        try writeTextFile("2", to: path)
        XCTAssertEqual(try readWholeFile(path), Array("2".utf8), "replaced, not appended")
        XCTAssertEqual(access(path + ".tmp-\(getpid())", F_OK), -1, "no temporary left behind")
    }

    func testReadRefusals() throws {
        XCTAssertEqual(code { _ = try readWholeFile(directory + "/missing") }, .io)
        XCTAssertEqual(code { _ = try readWholeFile(directory) }, .io)
        let path = directory + "/big"
        try writeTextFile(String(repeating: "x", count: 100), to: path)
        XCTAssertEqual(code { _ = try readWholeFile(path, limit: 99) }, .io)
        XCTAssertEqual(try readWholeFile(path, limit: 100).count, 100)
        XCTAssertEqual(code { try writeTextFile("x", to: directory + "/no/such/dir/f") }, .io)
    }

    /// Every string, control characters included, reads back as itself.
    func testJSONStringEscapesEveryControlCharacter() throws {
        XCTAssertEqual(jsonString("a\u{1}b\u{1f}\t\"\\"), #""a\u0001b\u001f\t\"\\""#)
        let everything = String(String.UnicodeScalarView((0..<0x80).compactMap(Unicode.Scalar.init))) + "é😀"
        guard case .string(let back) = try JSON.parse(Array(jsonString(everything).utf8), source: "w") else {
            return XCTFail("not a string")
        }
        XCTAssertEqual(back, everything)
    }

    func testJSONNumberRoundTrips() throws {
        for x in [0.05, -7.0, 1e-05, 1.0 / 3, Double.leastNonzeroMagnitude, -Double.greatestFiniteMagnitude] {
            XCTAssertEqual(try JSONNode.parse(text: jsonNumber(x), source: "n").double(), x)
        }
    }
}
