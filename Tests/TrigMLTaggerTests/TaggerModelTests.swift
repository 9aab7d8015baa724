import TrigMLCore
import XCTest
@testable import TrigMLTagger

/// Tagger model files and scoring through a `tml_jet_batch` built in Swift.
final class TaggerModelTests: XCTestCase {
    func layer(_ i: Int, _ o: Int, _ act: String, w: Double = 0.5, extra: String = "") -> String {
        let row = "[" + Array(repeating: "\(w)", count: o).joined(separator: ",") + "]"
        let rows = Array(repeating: row, count: i).joined(separator: ",")
        let bias = "[" + Array(repeating: "0.1", count: o).joined(separator: ",") + "]"
        return #"{"inputs": \#(i), "outputs": \#(o), "activation": "\#(act)"\#(extra), "weights": [\#(rows)], "bias": \#(bias)}"#
    }

    func deepSets(phiAct: String = "relu", head: String = "sigmoid", outputs: Int = 1) -> String {
        #"{"format": "trigml.tagger", "format_version": 1, "kind": "deep_sets", "output": "\#(head)", "jet_features": ["a"], "constituent_features": ["x", "y"], "phi": [\#(layer(2, 3, phiAct))], "f": [\#(layer(4, 2, "tanh")), \#(layer(2, outputs, "linear", w: -0.25))]}"#
    }

    func parseError(_ text: String) -> TMLError? {
        do { _ = try TaggerModel.parse(text: text, source: "t.json"); return nil } catch let e as TMLError { return e } catch { return nil }
    }

    func testValidModelsLoad() throws {
        let m = try TaggerModel.parse(text: deepSets(), source: "t.json")
        XCTAssertEqual(m.kind, .deepSets)
        XCTAssertEqual(m.latentCount, 3)
        XCTAssertEqual(m.outputCount, 1)
        let s = try TaggerModel.parse(text: deepSets(head: "softmax", outputs: 3), source: "t.json")
        XCTAssertEqual(s.outputCount, 3)
    }

    func testBrokenModelsNameTheMember() {
        XCTAssertEqual(parseError(deepSets(phiAct: "gelu"))?.code, .format)
        XCTAssertTrue(parseError(deepSets(phiAct: "gelu"))?.message.contains("phi[0].activation") ?? false)
        XCTAssertEqual(parseError(deepSets(head: "softmax", outputs: 1))?.code, .shape)
        XCTAssertEqual(parseError(deepSets(outputs: 2))?.code, .shape)
        XCTAssertEqual(parseError("{}")?.code, .format)
        XCTAssertEqual(parseError(deepSets().replacingOccurrences(of: "\"inputs\": 4", with: "\"inputs\": 5"))?.code, .shape)
    }

    /// One jet with two constituents, by hand: Phi = relu(0.5 (x + y) + 0.1)
    /// per output, summed; F as in `deepSets()`.
    func testDeepSetsScoreByHand() throws {
        let m = try TaggerModel.parse(text: deepSets(), source: "t.json")
        let jet: [Float] = [2]
        let constituents: [Float] = [1, -3, 0.5, 0.25]
        let offsets: [UInt64] = [0, 2]
        var out: [Float] = [0]
        try jet.withUnsafeBufferPointer { j in
            try constituents.withUnsafeBufferPointer { c in
                try offsets.withUnsafeBufferPointer { o in
                    let b = jetBatch(jets: 1, jetFeatures: j.baseAddress, offsets: o.baseAddress, constituents: 2, features: c.baseAddress)
                    let batch = try JetBatch(b, jetFeatures: 1, constituentFeatures: 2)
                    try out.withUnsafeMutableBufferPointer { try m.score(batch, into: $0.baseAddress!) }
                }
            }
        }
        let phi1 = max(0, 0.5 * (1 - 3) + 0.1), phi2 = max(0, 0.5 * (0.5 + 0.25) + 0.1)
        let pooled = phi1 + phi2
        let h = tanh(0.5 * (3 * pooled + 2) + 0.1)
        let z = -0.25 * (2 * h) + 0.1
        XCTAssertEqual(Double(out[0]), 1 / (1 + exp(-z)), accuracy: 1e-7)
    }

    func testOffsetsAreChecked() throws {
        let jet: [Float] = [0, 0]
        let constituents: [Float] = [0, 0, 0, 0]
        for (offsets, fragment) in [([0, 2, 1] as [UInt64], "not monotone"), ([0, 1, 3], "past n_constituents")] {
            try jet.withUnsafeBufferPointer { j in
                try constituents.withUnsafeBufferPointer { c in
                    try offsets.withUnsafeBufferPointer { o in
                        let b = jetBatch(jets: 2, jetFeatures: j.baseAddress, offsets: o.baseAddress, constituents: 2, features: c.baseAddress)
                        XCTAssertThrowsError(try JetBatch(b, jetFeatures: 1, constituentFeatures: 2)) { e in
                            XCTAssertTrue((e as? TMLError)?.message.contains(fragment) ?? false, "\(e)")
                        }
                    }
                }
            }
        }
    }

    func testDiscriminantValidatesFractions() throws {
        XCTAssertThrowsError(try LogRatioDiscriminant(classCount: 3, signalClass: 0, fractions: [0, 0.5, 0.4]))
        XCTAssertThrowsError(try LogRatioDiscriminant(classCount: 3, signalClass: 3, fractions: [0, 0.5, 0.5]))
        let d = try LogRatioDiscriminant(classCount: 3, signalClass: 2, fractions: [0.25, 0.75, 9])
        let p: [Float] = [0.2, 0.4, 0.4]
        var out: [Float] = [0]
        p.withUnsafeBufferPointer { pp in out.withUnsafeMutableBufferPointer { d.evaluate(rows: 1, prob: pp.baseAddress!, out: $0.baseAddress!) } }
        XCTAssertEqual(Double(out[0]), log((0.4 + 1e-10) / (0.25 * 0.2 + 0.75 * 0.4 + 1e-10)), accuracy: 1e-6)
    }

    /// A batch of `jets` jets with one jet feature and `constituents`
    /// two-feature constituents.
    func jetBatch(jets: UInt64, jetFeatures: UnsafePointer<Float>?, offsets: UnsafePointer<UInt64>?,
                  constituents: UInt64, features: UnsafePointer<Float>?) -> JetBatchColumns {
        var b = JetBatchColumns()
        (b.jetCount, b.jetFeatureCount, b.jetFeatures) = (jets, 1, jetFeatures)
        (b.constituentOffsets, b.constituentCount, b.constituentFeatureCount, b.constituentFeatures) =
            (offsets, constituents, 2, features)
        return b
    }
}
