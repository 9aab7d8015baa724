import Foundation
import TrigMLCore
import XCTest
@testable import TrigMLT5

/// Host columns gathered through the index chain, the checks on them, the
/// heads (softmax, standardised embedding) and the md_layer range check.
final class HostColumnTests: XCTestCase {
    // OneT5: inner T3 = MDs (0, 1, 2), outer T3 = MDs (2, 3, 4); anchors md1...md5 = MDs 0...4.
    var md: [Float] = [0, 1, 100, 101, 200, 201, 300, 301, 400, 401]  // 5 x 2: 100 * MD + column
    var t3: [Float] = [0, 1, 2, 10, 11, 12]  // 2 x 3: 10 * T3 + column
    var t5: [Float] = [7]

    func withColumns<R>(mdCount: UInt32 = 2, t3Count: UInt32 = 3, t5Count: UInt32 = 1, nullMD: Bool = false,
                        _ body: (T5HostColumns) throws -> R) rethrows -> R {
        try md.withUnsafeBufferPointer { md in try t3.withUnsafeBufferPointer { t3 in
            try t5.withUnsafeBufferPointer { t5 in
                var c = T5HostColumns()
                (c.mdCount, c.md) = (mdCount, nullMD ? nil : md.baseAddress)
                (c.t3Count, c.t3) = (t3Count, t3.baseAddress)
                (c.t5Count, c.t5) = (t5Count, t5.baseAddress)
                return try body(c)
            } } }
    }

    func model(_ text: String) throws -> T5Model { try T5Model.parse(text: text, source: "m.json") }

    func testExtraInputsAreGatheredThroughTheIndexChainAfterTheFeatureSet() throws {
        let m = try model(V2Text.threeClass())
        let row: [Float] = try OneT5().withBatch { b in
            let batch = try T5Batch(b, featureSet: .lstV2)
            return try withColumns { c in
                let view = try T5ColumnView(c, batch: batch, model: m)
                var out = [Float](repeating: -1, count: m.inputCount)
                try out.withUnsafeMutableBufferPointer { try m.features(batch, view, into: $0.baseAddress!) }
                XCTAssertEqual(Array(out[0..<23]), batch.features(of: 0, set: .lstV2), "feature set first, unstandardised")
                return out
            }
        }
        // t3 inner column 0, t3 outer (T3 1) column 2, md anchor 3 (MD 2) column 1, t5 column 0.
        XCTAssertEqual(Array(row[23...]), [0, 12, 201, 7])
    }

    func testColumnsAreCheckedBeforeAnythingIsWritten() throws {
        let m = try model(V2Text.threeClass())
        try OneT5().withBatch { b in
            let batch = try T5Batch(b, featureSet: .lstV2)
            XCTAssertThrowsError(try T5ColumnView(nil, batch: batch, model: m)) { error in
                XCTAssertEqual((error as? TMLError)?.code, .invalidArgument)
                XCTAssertTrue("\(error)".contains("cols is NULL"), "\(error)")
            }
            try withColumns(t3Count: 2) { c in
                XCTAssertThrowsError(try T5ColumnView(c, batch: batch, model: m)) { error in
                    XCTAssertEqual((error as? TMLError)?.code, .shape)
                    XCTAssertTrue("\(error)".contains("cols->t3_count = 2 but extra_inputs[1] reads t3 outer column 2"), "\(error)")
                }
            }
            try withColumns(nullMD: true) { c in
                XCTAssertThrowsError(try T5ColumnView(c, batch: batch, model: m)) { error in
                    XCTAssertEqual((error as? TMLError)?.code, .invalidArgument)
                    XCTAssertTrue("\(error)".contains("cols->md is NULL"), "\(error)")
                }
            }
            // A model without extra inputs needs no columns.
            XCTAssertNoThrow(try T5ColumnView(nil, batch: batch, model: T5Model.makeDefault()))
        }
    }

    func testSoftmaxScoreProbabilitiesAndNamedWorkingPoints() throws {
        // Zero weights: the logits are the last layer's biases 1, 2, 3.
        let text = V2Text.threeClass([("\"weights\": [", "\"weights\": [")])
            .replacingOccurrences(of: "0.01", with: "0")
            .replacingOccurrences(of: V2Text.numbers(3, "0.1"), with: "[1, 2, 3]")
        let m = try model(text)
        var probabilities = [Float](repeating: -1, count: 3), score: [Float] = [-1]
        var pass: [UInt8] = [9, 9]
        try OneT5().withBatch { b in
            let batch = try T5Batch(b, featureSet: .lstV2)
            try withColumns { c in
                let view = try T5ColumnView(c, batch: batch, model: m)
                for wp in 0..<2 {
                    try probabilities.withUnsafeMutableBufferPointer { p in try score.withUnsafeMutableBufferPointer { s in
                        try pass.withUnsafeMutableBufferPointer { f in
                            try m.evaluate(batch, view, workingPoint: wp,
                                       into: T5Outputs(score: s.baseAddress, pass: f.baseAddress! + wp, probabilities: p.baseAddress))
                        } } }
                }
            }
        }
        // The documented float order: d_k = z_k - max, e_k = float(exp(double d_k)), ascending sum, e_k / sum.
        let e = [Float(-2), -1, 0].map { Float(Foundation.exp(Double($0))) }
        let sum = (e[0] + e[1]) + e[2]
        XCTAssertEqual(probabilities, e.map { $0 / sum })
        XCTAssertEqual(score[0], 1 - probabilities[0], "score = 1 - P(fake)")
        // 1 - P(fake) = 0.91: above retention98's cuts (at most 0.5) and retention93's 0.71.
        XCTAssertEqual(pass, [1, 1])
    }

    func testEmbeddingSeesStandardisedInputs() throws {
        let weights = (0..<24).map { $0 == 23 ? "[1]" : "[0]" }.joined(separator: ", ")
        let text = #"{"format": "trigml.t5-model", "format_version": 2, "feature_set": "lst-v2", "extra_inputs": [{"from": "t5", "column": 0}], "standardize": {"mean": \#(V2Text.numbers(24, "0.5")), "std": \#(V2Text.numbers(24, "2"))}, "layers": [{"inputs": 24, "outputs": 1, "activation": "linear", "output": "embedding", "weights": [\#(weights)], "bias": [0]}]}"#
        let m = try model(text)
        XCTAssertEqual(m.head.embeddingDimension, 1)
        var embedding: [Float] = [0]
        try OneT5().withBatch { b in
            let batch = try T5Batch(b, featureSet: .lstV2)
            try withColumns { c in
                let view = try T5ColumnView(c, batch: batch, model: m)
                try embedding.withUnsafeMutableBufferPointer { try m.evaluate(batch, view, into: T5Outputs(embedding: $0.baseAddress)) }
            }
        }
        XCTAssertEqual(embedding, [(7 - 0.5) / 2])
    }

    func testLstV1RefusesLayersOutside1To11NamingTheMD() throws {
        for bad: UInt8 in [0, 12, 255] {
            let t = OneT5()
            t.layer[3] = bad
            XCTAssertThrowsError(try t.features(.lstV1)) { error in
                XCTAssertEqual((error as? TMLError)?.code, .invalidArgument)
                XCTAssertTrue("\(error)".contains("md_layer[3] = \(bad)"), "\(error)")
                XCTAssertTrue("\(error)".contains("1-11"), "\(error)")
            }
            // lst-v2 does not read the layer, so it does not judge it.
            XCTAssertNoThrow(try t.features(.lstV2))
        }
        let t = OneT5()
        t.layer = [1, 6, 7, 11, 2]
        XCTAssertNoThrow(try t.features(.lstV1))
    }
}
