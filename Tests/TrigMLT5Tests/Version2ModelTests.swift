import TrigMLCore
import XCTest
@testable import TrigMLT5

/// Writes small version-2 T5 model files for the tests.
enum V2Text {
    static func numbers(_ count: Int, _ value: String) -> String {
        "[" + Array(repeating: value, count: count).joined(separator: ", ") + "]"
    }

    static func layer(_ inputs: Int, _ outputs: Int, _ activation: String, weight: String = "0.01",
                      bias: String = "0.1", extra: String = "") -> String {
        let rows = Array(repeating: numbers(outputs, weight), count: inputs).joined(separator: ", ")
        return #"{"inputs": \#(inputs), "outputs": \#(outputs), "activation": "\#(activation)", "weights": [\#(rows)], "bias": \#(numbers(outputs, bias))\#(extra)}"#
    }

    static let extras = #"[{"from": "t3", "t3": "inner", "column": 0}, {"from": "t3", "t3": "outer", "column": 2}, {"from": "md", "anchor": 3, "column": 1}, {"from": "t5", "column": 0}]"#
    static let table = #"{"name": "retention98", "kind": "pt_eta_table", "pt_edges_gev": [5.0], "eta_bin_width": 0.25, "eta_bins": 2, "cuts": [[0.4, 0.5], [0.3, 0.2]]}"#
    static let single = #"{"name": "retention93", "kind": "single", "cut": 0.71}"#

    /// A 3-class lst-v2 model with the four extra inputs of the format's
    /// example, standardisation and two working points; `replace` edits it.
    static func threeClass(_ replace: [(String, String)] = []) -> String {
        let inputs = 27
        var text = #"{"format": "trigml.t5-model", "format_version": 2, "feature_set": "lst-v2", "provenance": "test", "extra_inputs": \#(extras), "standardize": {"mean": \#(numbers(inputs, "0.5")), "std": \#(numbers(inputs, "2"))}, "layers": [\#(layer(inputs, 8, "relu")), \#(layer(8, 8, "leaky_relu", extra: #", "alpha": 0.1"#)), \#(layer(8, 3, "softmax"))], "classes": ["fake", "prompt", "displaced"], "score": {"kind": "one_minus", "class": "fake"}, "working_points": [\#(table), \#(single)]}"#
        for (old, new) in replace {
            precondition(text.contains(old), "test edit '\(old)' does not apply")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return text
    }

    /// A 23-input lst-v2 embedding model of dimension 6.
    static func embedding(marker: String = #", "output": "embedding""#, top: String = #", "embedding": {"dim": 6}"#) -> String {
        #"{"format": "trigml.t5-model", "format_version": 2, "feature_set": "lst-v2", "layers": [\#(layer(23, 16, "tanh")), \#(layer(16, 6, "linear", extra: marker))]\#(top)}"#
    }
}

/// Version-2 model files: what loads, and every refusal naming its key.
final class Version2ModelTests: XCTestCase {
    func parseError(_ text: String) -> TMLError? {
        do { _ = try T5Model.parse(text: text, source: "m.json"); return nil } catch let e as TMLError { return e } catch { return nil }
    }

    func expectRefusal(_ text: String, _ code: TMLError.Code, mentions: [String], file: StaticString = #filePath, line: UInt = #line) {
        guard let error = parseError(text) else { return XCTFail("accepted", file: file, line: line) }
        XCTAssertEqual(error.code, code, error.message, file: file, line: line)
        for word in mentions {
            XCTAssertTrue(error.message.contains(word), "'\(error.message)' does not mention '\(word)'", file: file, line: line)
        }
    }

    func testThreeClassModelLoads() throws {
        let m = try T5Model.parse(text: V2Text.threeClass(), source: "m.json")
        XCTAssertEqual(m.inputCount, 27)
        XCTAssertEqual(m.extraInputs, [T5ExtraInput(source: .t3(outer: false), column: 0),
                                       T5ExtraInput(source: .t3(outer: true), column: 2),
                                       T5ExtraInput(source: .md(anchor: 3), column: 1),
                                       T5ExtraInput(source: .t5, column: 0)])
        XCTAssertEqual(m.head, .softmax(classes: ["fake", "prompt", "displaced"],
                                        score: T5ScoreDefinition(oneMinus: true, classIndex: 0)))
        XCTAssertEqual(m.head.classCount, 3)
        XCTAssertEqual(m.workingPoints.map(\.name), ["retention98", "retention93"])
        XCTAssertEqual(m.network.layers.count, 3)
        XCTAssertEqual(m.standardization?.std.count, 27)
    }

    func testEmbeddingModelLoadsWithEitherMarker() throws {
        for text in [V2Text.embedding(), V2Text.embedding(top: ""), V2Text.embedding(marker: "")] {
            let m = try T5Model.parse(text: text, source: "m.json")
            XCTAssertEqual(m.head, .embedding(dimension: 6))
            XCTAssertEqual(m.head.classCount, 0)
            XCTAssertTrue(m.workingPoints.isEmpty)
        }
    }

    func testVersion1FileIsAVersion2ModelOfOneWorkingPoint() throws {
        let m = try T5Model.makeDefault()
        XCTAssertEqual(m.head, .sigmoid)
        XCTAssertEqual(m.inputCount, 23)
        XCTAssertEqual(m.workingPoints.map(\.name), ["default"])
        XCTAssertNil(m.standardization)
    }

    func testUnknownKeysAreNamedWithTheNearestKey() {
        expectRefusal(V2Text.threeClass([("\"classes\":", "\"clases\": [], \"classes\":")]), .format,
                      mentions: ["clases", "did you mean 'classes'"])
        expectRefusal(V2Text.threeClass([("\"std\":", "\"sdt\": [], \"std\":")]), .format,
                      mentions: ["standardize.sdt", "std"])
        expectRefusal(V2Text.threeClass([("\"column\": 2}", "\"column\": 2, \"colum\": 1}")]), .format,
                      mentions: ["extra_inputs[1].colum", "'column'"])
        expectRefusal(V2Text.threeClass([("\"cut\": 0.71}", "\"cut\": 0.71, \"cutt\": 1}")]), .format,
                      mentions: ["working_points[1].cutt", "'cut'"])
        expectRefusal(V2Text.threeClass([("\"class\": \"fake\"}", "\"class\": \"fake\", \"kinf\": 1}")]), .format,
                      mentions: ["score.kinf"])
        expectRefusal(V2Text.threeClass([("\"alpha\": 0.1", "\"alpha\": 0.1, \"bais\": 0")]), .format,
                      mentions: ["layers[1].bais", "'bias'"])
        // A hidden layer may not say "output"; only the last one may.
        expectRefusal(V2Text.threeClass([("\"alpha\": 0.1", "\"alpha\": 0.1, \"output\": \"embedding\"")]), .format,
                      mentions: ["layers[1].output"])
    }

    func testVersion1UnknownKeysAreNamed() {
        let v1 = #"{"format": "trigml.t5-model", "format_version": 1, "feature_set": "lst-v2", "layers": [\#(V2Text.layer(23, 1, "sigmoid"))], "working_point": {"kind": "single", "cut": 0.5}, "provenace": "x"}"#
        expectRefusal(v1, .format, mentions: ["provenace", "did you mean 'provenance'"])
        let layer = v1.replacingOccurrences(of: "\"activation\"", with: "\"biass\": 1, \"activation\"")
            .replacingOccurrences(of: ", \"provenace\": \"x\"", with: "")
        expectRefusal(layer, .format, mentions: ["layers[0].biass"])
        let wp = v1.replacingOccurrences(of: "\"cut\": 0.5}", with: "\"cut\": 0.5, \"name\": \"x\"}")
            .replacingOccurrences(of: ", \"provenace\": \"x\"", with: "")
        expectRefusal(wp, .format, mentions: ["working_point.name"])
    }

    func testStandardisationIsValidated() {
        expectRefusal(V2Text.threeClass([("\"std\": [2, ", "\"std\": [0, ")]), .format, mentions: ["standardize.std[0]", "> 0"])
        expectRefusal(V2Text.threeClass([("\"std\": [2, ", "\"std\": [-1, ")]), .format, mentions: ["standardize.std[0]"])
        expectRefusal(V2Text.threeClass([("\"std\": [2, ", "\"std\": [1e39, ")]), .format, mentions: ["standardize.std[0]", "finite"])
        expectRefusal(V2Text.threeClass([("\"mean\": [0.5, ", "\"mean\": [")]), .format, mentions: ["standardize.mean", "27"])
    }

    func testHeadIsValidated() {
        expectRefusal(V2Text.threeClass([("\"displaced\"]", "\"displaced\", \"other\"]")]), .format,
                      mentions: ["classes", "4 names", "3 outputs"])
        expectRefusal(V2Text.threeClass([("\"prompt\", \"displaced\"]", "\"prompt\", \"prompt\"]")]), .format,
                      mentions: ["classes[2]", "twice"])
        expectRefusal(V2Text.threeClass([("\"class\": \"fake\"", "\"class\": \"fakes\"")]), .format,
                      mentions: ["score.class", "fakes", "fake, prompt, displaced"])
        expectRefusal(V2Text.threeClass([("\"kind\": \"one_minus\"", "\"kind\": \"class\"")]), .format,
                      mentions: ["score.kind", "one_minus", "probability"])
        expectRefusal(V2Text.threeClass([(", \"score\": {\"kind\": \"one_minus\", \"class\": \"fake\"}", "")]), .format,
                      mentions: ["score is missing"])
        expectRefusal(V2Text.threeClass([("\"activation\": \"softmax\"", "\"activation\": \"relu\"")]), .format,
                      mentions: ["layers[2].activation", "relu"])
        // A linear last layer without the embedding marker is not an embedding by accident.
        expectRefusal(V2Text.embedding(marker: "", top: ""), .format, mentions: ["layers[1]", "embedding"])
        expectRefusal(V2Text.embedding(top: #", "embedding": {"dim": 5}"#), .format, mentions: ["embedding.dim", "6 outputs"])
        expectRefusal(V2Text.embedding(top: #", "working_points": [\#(V2Text.single)]"#), .format,
                      mentions: ["working_points", "embedding"])
        expectRefusal(V2Text.embedding(top: #", "classes": ["a"]"#), .format, mentions: ["classes"])
    }

    func testWorkingPointsAreValidated() {
        expectRefusal(V2Text.threeClass([("\"cuts\": [[0.4, 0.5], [0.3, 0.2]]", "\"cuts\": [[0.4, 0.5]]")]), .format,
                      mentions: ["working_points[0].cuts", "pT rows"])
        expectRefusal(V2Text.threeClass([("\"cuts\": [[0.4, 0.5], [0.3, 0.2]]", "\"cuts\": [[0.4, 0.5], [0.3]]")]), .format,
                      mentions: ["working_points[0].cuts[1]"])
        expectRefusal(V2Text.threeClass([("\"retention93\"", "\"retention98\"")]), .format,
                      mentions: ["working_points[1].name", "retention98", "unique"])
        expectRefusal(V2Text.threeClass([("\"name\": \"retention93\", ", "")]), .format,
                      mentions: ["working_points[1].name is missing"])
        expectRefusal(V2Text.threeClass([("\"working_points\": [", "\"working_point\": {\"kind\": \"single\", \"cut\": 1}, \"working_points\": [")]),
                      .format, mentions: ["working_point", "both"])
        expectRefusal(V2Text.threeClass([("\"working_points\": [\(V2Text.table), \(V2Text.single)]", "\"working_points\": []")]),
                      .format, mentions: ["working_points", "1 to 64"])
        let single = V2Text.threeClass([("\"working_points\": [\(V2Text.table), \(V2Text.single)]",
                                         "\"working_point\": {\"kind\": \"single\", \"cut\": 0.3}")])
        XCTAssertEqual(try T5Model.parse(text: single, source: "m.json").workingPoints.map(\.name), ["default"])
    }

    func testExtraInputsAreValidated() {
        expectRefusal(V2Text.threeClass([("\"anchor\": 3", "\"anchor\": 6")]), .format, mentions: ["extra_inputs[2].anchor", "6"])
        expectRefusal(V2Text.threeClass([("\"anchor\": 3", "\"anchor\": 0")]), .format, mentions: ["extra_inputs[2].anchor"])
        expectRefusal(V2Text.threeClass([("\"t3\": \"inner\"", "\"t3\": \"middle\"")]), .format,
                      mentions: ["extra_inputs[0].t3", "middle", "inner, outer"])
        expectRefusal(V2Text.threeClass([("{\"from\": \"t5\"", "{\"from\": \"t4\"")]), .format, mentions: ["extra_inputs[3].from", "t4"])
        expectRefusal(V2Text.threeClass([("\"column\": 2", "\"column\": -1")]), .format, mentions: ["extra_inputs[1].column"])
        expectRefusal(V2Text.threeClass([("{\"from\": \"t5\", \"column\": 0}", "{\"from\": \"t5\", \"anchor\": 1, \"column\": 0}")]),
                      .format, mentions: ["extra_inputs[3].anchor"])
        // One extra input fewer: 26 inputs, which the standardisation (27) no longer fits.
        expectRefusal(V2Text.threeClass([(", {\"from\": \"t5\", \"column\": 0}", "")]), .format, mentions: ["standardize.mean", "expected 26"])
    }

    func testAFileOfAnotherKindSaysWhichCallLoadsIt() {
        let cases = [("trigml.tagger", "tml_tagger_load"), ("trigml.forest", "tml_forest_load"),
                     ("trigml.ddt-map", "tml_ddt_load"), ("trigml.lut-scheme", "tml_lut_scheme_load")]
        for (format, call) in cases {
            expectRefusal(#"{"format": "\#(format)", "format_version": 1}"#, .format, mentions: [format, call])
        }
        expectRefusal(#"{"learner": {}, "version": [2, 0, 0]}"#, .format, mentions: ["XGBoost", "tml_forest_load"])
    }

    func testNewerVersionIsUnsupported() {
        expectRefusal(V2Text.threeClass([("\"format_version\": 2", "\"format_version\": 3")]), .unsupported,
                      mentions: ["format_version = 3"])
    }
}
