import XCTest
import TrigMLCore
import TrigMLLUT
@testable import TrigMLCLI

/// The sidecar reads back what was written, and refuses unknown keys.
final class SidecarTests: XCTestCase {
    func sample() throws -> Sidecar {
        Sidecar(scheme: SchemeRecord(kind: .file, name: "my-scheme", path: "s \"q\".json", sha256: String(repeating: "a", count: 64)),
                forests: [ForestRecord(scheme: "my-scheme", firstAddress: 1 << 29, addressCount: 1 << 29, path: "f.json",
                                       sha256: String(repeating: "b", count: 64), trees: 400)],
                missingModes: ["emtf2017-mode3"],
                conversion: ChosenConversion(conversion: try PtConversion.preset("emtf2022"), source: "preset emtf2022"),
                firstAddress: (1 << 29) + 4, count: 1 << 22, wordFormat: "emtf64",
                commandLine: ["trigml", "lut", "generate", "--out", "x\ny"], libraryVersion: "0.1.0", cpuPath: "baseline",
                seconds: 1.25, summary: ["line", "WARNING: w"])
    }

    func write(_ text: String) throws -> String {
        let path = "/tmp/trigml-sidecar-test-\(getpid()).json"
        try writeTextFile(text, to: path)
        return path
    }

    func testRoundTrip() throws {
        let written = try sample()
        let path = try write(written.json())
        defer { unlink(path) }
        let read = try Sidecar.load(path: path)
        XCTAssertEqual(read.scheme, written.scheme)
        XCTAssertEqual(read.forests, written.forests)
        XCTAssertEqual(read.missingModes, written.missingModes)
        XCTAssertEqual(read.conversion.conversion, written.conversion.conversion)
        XCTAssertEqual(read.conversion.source, written.conversion.source)
        XCTAssertEqual(read.firstAddress, written.firstAddress)
        XCTAssertEqual(read.count, written.count)
        XCTAssertEqual(read.wordFormat, written.wordFormat)
        XCTAssertEqual(read.commandLine, written.commandLine)
        XCTAssertEqual(read.summary, written.summary)
    }

    func testUnknownKeysAreRefusedAtEveryLevel() throws {
        let text = try sample().json()
        let cases = [("\"count\":", "\"cuont\": 1, \"count\":", "cuont is not a known key; did you mean 'count'?"),
                     ("\"kind\":", "\"knid\": 1, \"kind\":", "scheme.knid is not a known key; did you mean 'kind'?"),
                     ("\"trees\":", "\"tres\": 1, \"trees\":", "forests[0].tres is not a known key; did you mean 'trees'?"),
                     ("\"word_max\":", "\"word_maxx\": 1, \"word_max\":", "conversion.word_maxx is not a known key; did you mean 'word_max'?")]
        for (key, replacement, expected) in cases {
            let edited = text.split(separator: key, maxSplits: 1, omittingEmptySubsequences: false).joined(separator: replacement)
            let path = try write(edited)
            defer { unlink(path) }
            XCTAssertThrowsError(try Sidecar.load(path: path)) { error in
                XCTAssertTrue((error as? TMLError)?.message.hasSuffix(expected) ?? false, "\(error)")
            }
        }
    }

    func testConversionFileNeedsEveryMemberWithoutAPreset() throws {
        let path = try write("{\"target\": \"log2_pt\", \"output_floor\": 0}")
        defer { unlink(path) }
        XCTAssertThrowsError(try conversionFromFile(path)) {
            XCTAssertTrue("\($0)".contains("scale_numerator is missing"), "\($0)")
        }
        let preset = try write("{\"preset\": \"emtf2017\", \"target\": \"log2_pt\"}")
        defer { unlink(preset) }
        var expected = try PtConversion.preset("emtf2017")
        expected.target = .log2Pt
        XCTAssertEqual(try conversionFromFile(preset), expected)
    }
}

/// Outputs appear whole or not at all, and never over an input.
final class OutputTests: XCTestCase {
    let directory = "/tmp/trigml-output-test-\(getpid())"

    override func setUp() { mkdir(directory, 0o755) }
    override func tearDown() {
        for name in ["out.bin", "in.json", "link.json"] { unlink(directory + "/" + name) }
        rmdir(directory)
    }

    func entries() -> [String] {
        var names: [String] = []
        guard let handle = opendir(directory) else { return names }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    func testPublishAndDiscard() throws {
        let path = directory + "/out.bin"
        do {
            let output = try AtomicOutput(path)
            try output.write("half")
            XCTAssertEqual(entries().count, 1)
            XCTAssertTrue(entries()[0].hasPrefix(".out.bin.tmp-"))
        }  // dropped without publish: removed
        XCTAssertEqual(entries(), [])
        let output = try AtomicOutput(path)
        try output.write("whole")
        try output.publish()
        XCTAssertEqual(entries(), ["out.bin"])
        XCTAssertEqual(try readWholeFile(path), Array("whole".utf8))
    }

    func testOutputsThatAreInputsAreRefused() throws {
        let input = directory + "/in.json"
        try writeTextFile("{}", to: input)
        XCTAssertEqual(link(input, directory + "/link.json"), 0)
        let cases = [input, directory + "/../" + String(directory.split(separator: "/").last!) + "/in.json",
                     directory + "/link.json"]
        for output in cases {
            XCTAssertThrowsError(try refuseOverwritingInputs(outputs: [("--out", output)], inputs: [("forest file", input)])) {
                XCTAssertTrue(($0 as? Failure)?.message.contains("refusing to overwrite an input file") ?? false)
            }
        }
        XCTAssertNoThrow(try refuseOverwritingInputs(outputs: [("--out", directory + "/out.bin")], inputs: [("forest file", input)]))
    }

    func testNpyHeaderIsAligned() throws {
        let header = try npyHeader(fields: ["address", "theta", "it's"], count: 5)
        XCTAssertEqual(header.count % 64, 0)
        XCTAssertEqual(Array(header.prefix(8)), [0x93] + Array("NUMPY".utf8) + [1, 0])
        XCTAssertTrue(String(decoding: header, as: UTF8.self).contains("('it\\'s', '<f4')"))
    }

    func testFloorWordOfThePresets() throws {
        XCTAssertEqual(PhysicsSummary.floorWord(try PtConversion.preset("emtf2017")), 1)
        XCTAssertEqual(PhysicsSummary.floorWord(try PtConversion.preset("emtf2022")), 3)
    }
}
