import TrigMLCore
import XCTest
@testable import TrigMLT5

/// Model-file parsing: every broken file is a status and a message naming
/// the member, never a crash.
final class ModelFileTests: XCTestCase {
    func layer(_ i: Int, _ o: Int, _ act: String, w: String = "0.5") -> String {
        let row = "[" + Array(repeating: w, count: o).joined(separator: ",") + "]"
        let rows = Array(repeating: row, count: i).joined(separator: ",")
        let bias = "[" + Array(repeating: "0.1", count: o).joined(separator: ",") + "]"
        return #"{"inputs": \#(i), "outputs": \#(o), "activation": "\#(act)", "weights": [\#(rows)], "bias": \#(bias)}"#
    }

    func model(set: String = "lst-v2", inputs: Int = 23, wp: String = #"{"kind": "single", "cut": 0.5}"#,
               w: String = "0.5") -> String {
        #"{"format": "trigml.t5-model", "format_version": 1, "feature_set": "\#(set)", "provenance": "test", "layers": [\#(layer(inputs, 4, "relu", w: w)), \#(layer(4, 1, "sigmoid"))], "working_point": \#(wp)}"#
    }

    func parseError(_ text: String) -> TMLError? {
        do { _ = try T5Model.parse(text: text, source: "test.json"); return nil } catch let e as TMLError { return e } catch { return nil }
    }

    func testAValidModelLoads() throws {
        let m = try T5Model.parse(text: model(), source: "test.json")
        XCTAssertEqual(m.featureSet, .lstV2)
        XCTAssertEqual(m.network.layers.map(\.outputs), [4, 1])
    }

    func testTheEmbeddedDefaultModelLoads() throws {
        let m = try T5Model.makeDefault()
        XCTAssertEqual(m.featureSet.inputCount, 23)
        XCTAssertFalse(m.provenance.isEmpty)
    }

    func testInputCountMustMatchTheFeatureSet() {
        let e = parseError(model(set: "lst-v1", inputs: 23))
        XCTAssertEqual(e?.code, .shape)
        XCTAssertTrue(e?.message.contains("38") ?? false, e?.message ?? "")
    }

    func testUnknownFeatureSet() {
        XCTAssertEqual(parseError(model(set: "lst-v9"))?.code, .format)
    }

    func testTruncatedFileNamesTheProblem() {
        let text = model()
        let e = parseError(String(text.prefix(text.count / 2)))
        XCTAssertEqual(e?.code, .format)
        XCTAssertTrue(e?.message.contains("end of file") ?? false, e?.message ?? "")
    }

    func testMalformedJSON() {
        XCTAssertEqual(parseError("{\"format\": }")?.code, .format)
        XCTAssertEqual(parseError("")?.code, .format)
        XCTAssertEqual(parseError(String(repeating: "[", count: 100_000))?.code, .format)
    }

    func testNonFiniteOrOutOfRangeWeights() {
        XCTAssertEqual(parseError(model(w: "1e39"))?.code, .format, "overflows float32")
        XCTAssertEqual(parseError(model(w: "\"x\""))?.code, .format)
    }

    func testWorkingPointTableShape() {
        let wp = #"{"kind": "pt_eta_table", "pt_edges_gev": [5.0], "eta_bin_width": 0.25, "eta_bins": 2, "cuts": [[0.1, 0.2]]}"#
        XCTAssertEqual(parseError(model(wp: wp))?.code, .format, "an inconsistent file is a format error naming the key")
        let bad = #"{"kind": "pt_eta_table", "pt_edges_gev": [5.0], "eta_bin_width": 0, "eta_bins": 2, "cuts": [[0.1, 0.2], [0.1, 0.2]]}"#
        XCTAssertEqual(parseError(model(wp: bad))?.code, .format)
    }

    func testMissingMemberIsNamed() {
        let e = parseError(#"{"format": "trigml.t5-model", "format_version": 1, "feature_set": "lst-v2"}"#)
        XCTAssertTrue(e?.message.contains("layers is missing") ?? false, e?.message ?? "")
    }

    func testNewerFormatVersionIsUnsupported() {
        let text = model().replacingOccurrences(of: "\"format_version\": 1", with: "\"format_version\": 3")
        XCTAssertEqual(parseError(text)?.code, .unsupported)
    }
}
