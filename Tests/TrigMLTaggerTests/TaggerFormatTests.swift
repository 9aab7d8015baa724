import TrigMLCore
import XCTest
@testable import TrigMLTagger

/// Tagger files: unknown keys refused at every level; format version 2
/// (inputs named with their transforms) gives on raw physics quantities
/// exactly the scores version 1 gives on the normalised inputs.
final class TaggerFormatTests: XCTestCase {
    let layers = """
    [{"inputs": 3, "outputs": 4, "activation": "relu",
      "weights": [[0.5, -0.25, 0.125, 1], [-1, 0.75, 0.5, -0.5], [0.25, 0.5, -0.75, 0.3]], "bias": [0.1, -0.1, 0.2, 0]},
     {"inputs": 4, "outputs": 1, "activation": "linear", "weights": [[0.7], [-0.4], [0.9], [0.2]], "bias": [0.05]}]
    """

    /// Version 1: names, and the scaling of the normalised inputs
    /// (multiplicity / 50 in the training sample).
    var version1: String {
        #"{"format": "trigml.tagger", "format_version": 1, "kind": "mlp", "output": "sigmoid", "jet_features": ["tau21", "log_pt", "multiplicity"], "jet_scaling": {"offset": [0.5, 6.1, 0.9013], "scale": [4.3, 3.03, 3.0061]}, "layers": \#(layers)}"#
    }

    /// The same network in version 2: the caller passes the multiplicity.
    var version2: String {
        #"{"format": "trigml.tagger", "format_version": 2, "kind": "mlp", "output": "sigmoid", "jet_features": [{"name": "tau21", "offset": 0.5, "scale": 4.3}, {"name": "log_pt", "offset": 6.1, "scale": 3.03}, {"name": "multiplicity", "divide_by": 50, "offset": 0.9013, "scale": 3.0061}], "layers": \#(layers)}"#
    }

    func deepSets(version: Int, constituents: String, extra: String = "") -> String {
        let phi = #"[{"inputs": 2, "outputs": 2, "activation": "tanh", "weights": [[0.5, -1], [0.25, 0.75]], "bias": [0, 0.1]}]"#
        let f = #"[{"inputs": 2, "outputs": 1, "activation": "linear", "weights": [[1], [-0.5]], "bias": [0]}]"#
        return #"{"format": "trigml.tagger", "format_version": \#(version), "kind": "deep_sets", "output": "sigmoid", "jet_features": [], "constituent_features": \#(constituents),\#(extra) "phi": \#(phi), "f": \#(f)}"#
    }

    func refusal(_ text: String) -> TMLError? {
        do { _ = try TaggerModel.parse(text: text, source: "t.json"); return nil } catch let e as TMLError { return e } catch { return nil }
    }

    func assertRefused(_ text: String, code: TMLError.Code = .format, _ fragments: [String], line: UInt = #line) {
        let error = refusal(text)
        XCTAssertEqual(error?.code, code, "\(String(describing: error))", line: line)
        for fragment in fragments {
            XCTAssertTrue(error?.message.contains(fragment) == true, "'\(error?.message ?? "")' lacks '\(fragment)'", line: line)
        }
    }

    func testUnknownKeysAreRefusedAtEveryLevel() {
        XCTAssertNil(refusal(version1))
        XCTAssertNil(refusal(version2))
        assertRefused(version1.replacing("\"output\"", with: "\"ouptut_note\": 1, \"output\""), ["t.json: ouptut_note is not a known key"])
        assertRefused(version1.replacing("\"kind\"", with: "\"provenace\": \"x\", \"kind\""),
                      ["t.json: provenace is not a known key", "did you mean 'provenance'?"])
        assertRefused(version1.replacing("{\"offset\": [0.5", with: "{\"ofset\": [], \"offset\": [0.5"),
                      ["jet_scaling.ofset is not a known key", "did you mean 'offset'?"])
        assertRefused(version1.replacing("\"bias\": [0.05]", with: "\"bias\": [0.05], \"bais\": 1"),
                      ["layers[1].bais is not a known key", "did you mean 'bias'?"])
        assertRefused(version2.replacing("\"divide_by\"", with: "\"divde_by\""),
                      ["jet_features[2].divde_by is not a known key", "did you mean 'divide_by'?"])
        assertRefused(deepSets(version: 2, constituents: #"[{"name": "x", "scael": 2}, {"name": "y"}]"#),
                      ["constituent_features[0].scael is not a known key", "did you mean 'scale'?"])
        assertRefused(deepSets(version: 1, constituents: #"["x", "y"]"#, extra: #" "constituent_scaling": {"offset": [0, 0], "scale": [1, 1], "sacle": 1},"#),
                      ["constituent_scaling.sacle is not a known key"])
        assertRefused(deepSets(version: 1, constituents: #"["x", "y"]"#).replacing("\"bias\": [0]", with: "\"bias\": [0], \"alpah\": 1"),
                      ["f[0].alpah is not a known key", "did you mean 'alpha'?"])
    }

    func testVersionsAreNotMixed() {
        // A version-2 input list needs objects; version-2 files carry no
        // separate scaling; a version-1 file has no input objects.
        assertRefused(deepSets(version: 2, constituents: #"["x", "y"]"#), ["constituent_features[0] is a bare name"])
        assertRefused(deepSets(version: 2, constituents: #"[{"name": "x"}, {"name": "y"}]"#,
                               extra: #" "constituent_scaling": {"offset": [0, 0], "scale": [1, 1]},"#),
                      ["constituent_scaling is format_version 1"])
        assertRefused(version2.replacing("\"format_version\": 2", with: "\"format_version\": 1"), ["jet_features[0] is an input object", "format_version 2"])
        assertRefused(version2.replacing("\"format_version\": 2", with: "\"format_version\": 3"), code: .unsupported, ["versions 1 to 2"])
        assertRefused(version2.replacing("\"divide_by\": 50", with: "\"divide_by\": 0"), ["jet_features[2].divide_by is 0"])
        assertRefused(version2.replacing("{\"name\": \"tau21\", ", with: "{"), ["jet_features[0].name is missing"])
    }

    /// Every multiplicity 0...255 and a spread of other values: the
    /// version-2 file on raw inputs gives the version-1 file's bits on the
    /// inputs normalised as the training sample was (float32 x / 50).
    func testRawInputsGiveExactlyTheOldScores() throws {
        let old = try TaggerModel.parse(text: version1, source: "v1.json")
        let new = try TaggerModel.parse(text: version2, source: "v2.json")
        XCTAssertEqual(old.formatVersion, 1)
        XCTAssertEqual(new.formatVersion, 2)
        XCTAssertEqual(new.jetFeatureNames, ["tau21", "log_pt", "multiplicity"])
        var raw: [Float] = [], normalised: [Float] = []
        for multiplicity in 0..<256 {
            let tau21 = Float(multiplicity % 17) / 16, logPt = 5.5 + Float(multiplicity % 23) / 10
            raw += [tau21, logPt, Float(multiplicity)]
            normalised += [tau21, logPt, Float(multiplicity) / Float(50)]
        }
        // Non-integer values too: the division is float32 for any input.
        for k in 0..<64 {
            let m = Float(k) * 1.37 + 0.01
            raw += [0.3, 6.0, m]
            normalised += [0.3, 6.0, m / 50]
        }
        let jets = raw.count / 3
        func score(_ model: TaggerModel, _ features: [Float]) throws -> [Float] {
            var out = [Float](repeating: 0, count: jets)
            try features.withUnsafeBufferPointer { f in
                var columns = JetBatchColumns()
                (columns.jetCount, columns.jetFeatureCount, columns.jetFeatures) = (UInt64(jets), 3, f.baseAddress)
                let batch = try JetBatch(columns, jetFeatures: 3, constituentFeatures: nil)
                try out.withUnsafeMutableBufferPointer { try model.score(batch, into: $0.baseAddress!) }
            }
            return out
        }
        let before = try score(old, normalised), after = try score(new, raw)
        XCTAssertEqual(before.map(\.bitPattern), after.map(\.bitPattern))
        // And the version-1 file on raw multiplicities is a different tagger:
        // the test can fail.
        XCTAssertNotEqual(try score(old, raw).map(\.bitPattern), before.map(\.bitPattern))
    }
}
