import TrigMLCPU
import TrigMLKernels
import XCTest
@testable import TrigMLT5

/// A host that scores a few candidates per call gets the one-candidate path
/// (T5FewCandidates, KernelTable.t5SingleCandidate): features on the lanes of
/// one candidate, then the one-candidate network. It must give the bits of
/// the candidate's lane in a full tile, on every kernel path, including the
/// awkward cases (phi across +-pi, a straight bridge whose radius is LST's -1
/// sentinel, non-finite columns).
final class OneCandidatePathTests: XCTestCase {
    /// 64 T5s over 5 anchors each (a chain per T5), with edge cases mixed in.
    final class Event {
        var x: [Float] = [], y: [Float] = [], z: [Float] = [], r: [Float] = [], eta: [Float] = [], phi: [Float] = []
        var t3MD: [UInt32] = [], t3Radius: [Float] = [], t5T3: [UInt32] = []
        let count = 64

        init() {
            var state: UInt32 = 12345
            func uniform(_ low: Float, _ high: Float) -> Float {
                state = state &* 1664525 &+ 1013904223
                return low + (high - low) * Float(state >> 8) / Float(1 << 24)
            }
            for t in 0..<count {
                let phi0 = uniform(-3.14, 3.14), eta0 = uniform(-2.5, 2.5), curl = uniform(-0.05, 0.05)
                for a in 0..<5 {
                    let radius = 23 + 15 * Float(a) + uniform(0, 2)
                    var anchorPhi = phi0 + curl * Float(a)
                    if t % 8 == 1 { anchorPhi = (a % 2 == 0 ? 3.13 : -3.13) }  // across +-pi
                    x.append(radius * cosf(anchorPhi))
                    y.append(radius * sinf(anchorPhi))
                    z.append(radius * sinhf(eta0))
                    r.append(radius)
                    eta.append(eta0 + uniform(-0.01, 0.01))
                    phi.append(anchorPhi)
                }
                let md = UInt32(5 * t)
                if t % 8 == 2 {  // a straight bridge: md2, md3, md4 on one line (radius -1, log10 NaN)
                    for a in 1...3 { (x[Int(md) + a], y[Int(md) + a]) = (10 * Float(a), 20 * Float(a)) }
                }
                if t % 8 == 3 { eta[Int(md) + 2] = .nan }
                if t % 8 == 4 { z[Int(md) + 4] = .infinity }
                if t % 8 == 5 { t3Radius.append(0) } else { t3Radius.append(uniform(50, 5000)) }
                t3Radius.append(uniform(50, 5000))
                t3MD += [md, md + 1, md + 2, md + 2, md + 3, md + 4]
                t5T3 += [UInt32(2 * t), UInt32(2 * t + 1)]
            }
        }

        func withBatch<R>(first: Int = 0, count n: Int? = nil, _ body: (T5BatchColumns) throws -> R) rethrows -> R {
            try x.withUnsafeBufferPointer { x in try y.withUnsafeBufferPointer { y in
            try z.withUnsafeBufferPointer { z in try r.withUnsafeBufferPointer { r in
            try eta.withUnsafeBufferPointer { eta in try phi.withUnsafeBufferPointer { phi in
            try t3MD.withUnsafeBufferPointer { t3 in try t3Radius.withUnsafeBufferPointer { rad in
            try t5T3.withUnsafeBufferPointer { t5 in
                var b = T5BatchColumns()
                (b.mdCount, b.t3Count, b.t5Count) = (UInt64(self.x.count), UInt64(self.t3Radius.count), UInt64(n ?? count))
                (b.x, b.y, b.z, b.r, b.eta, b.phi) = (x.baseAddress, y.baseAddress, z.baseAddress,
                                                      r.baseAddress, eta.baseAddress, phi.baseAddress)
                (b.t3MD, b.t3Radius, b.t5T3) = (t3.baseAddress, rad.baseAddress, t5.baseAddress.map { $0 + 2 * first })
                return try body(b)
            } } } } } } } } }
        }
    }

    func testOneCandidateKernelGivesItsTileLaneOnEveryPath() throws {
        let model = try T5Model.makeDefault()
        let event = Event()
        let network = model.floatNetwork, inputs = model.inputCount
        var nonFinite = 0
        try event.withBatch { columns in
            let batch = try T5Batch(columns, featureSet: .lstV2)
            for kernels in KernelDispatch.supportedTables {
                var tile = [FloatLanes](repeating: FloatLanes(), count: inputs)
                var logits = [FloatLanes](repeating: FloatLanes(), count: network.outputCount)
                var scratch = [FloatLanes](repeating: FloatLanes(), count: network.tileScratchCount)
                var output = [Float](repeating: 0, count: t5SingleMaxStride)
                for first in stride(from: 0, to: event.count, by: floatLaneWidth) {
                    batch.tileFeatures(first: first, lanes: floatLaneWidth, set: .lstV2, into: &tile, kernels: kernels)
                    network.evaluate(input: tile, output: &logits, scratch: &scratch, biasOrder: .first, kernels: kernels)
                    for lane in 0..<floatLaneWidth {
                        let finite = (0..<inputs).allSatisfy { tile[$0][lane].isFinite }
                        let singleFinite = withUnsafePointer(to: batch.record) { record in
                            kernels.t5SingleCandidate(record, first + lane, network.layers, network.layerCount,
                                                      network.maxStride, true, &output)
                        }
                        XCTAssertEqual(singleFinite, finite, "path \(kernels.path), T5 \(first + lane)")
                        if finite {
                            XCTAssertEqual(output[0].bitPattern, logits[0][lane].bitPattern,
                                           "path \(kernels.path), T5 \(first + lane)")
                        } else {
                            nonFinite += 1
                        }
                    }
                }
            }
        }
        // The edge cases above make non-finite inputs (the straight bridge,
        // NaN eta, infinite z, zero radius) on every path: 4 per 8 T5s.
        XCTAssertEqual(nonFinite, KernelDispatch.supportedTables.count * event.count / 2)
    }

    func testFewCandidateCallsScoreAsTheWholeBatch() throws {
        let model = try T5Model.makeDefault()
        let event = Event()
        var score = [Float](repeating: -1, count: event.count), pass = [UInt8](repeating: 9, count: event.count)
        try score.withUnsafeMutableBufferPointer { s in
            try pass.withUnsafeMutableBufferPointer { p in
                try event.withBatch { columns in
                    try model.evaluate(try T5Batch(columns, featureSet: .lstV2),
                                       into: T5Outputs(score: s.baseAddress, pass: p.baseAddress))
                }
            }
        }
        let few = try XCTUnwrap(model.few, "the default model is a sigmoid LST v2 model: it has the one-candidate path")
        for size in 1..<fewCandidatesBelow {
            var fewScore = [Float](repeating: -1, count: event.count), fewPass = [UInt8](repeating: 9, count: event.count)
            for first in stride(from: 0, to: event.count - size + 1, by: size) {
                let taken = fewScore.withUnsafeMutableBufferPointer { s in
                    fewPass.withUnsafeMutableBufferPointer { p in
                        event.withBatch(first: first, count: size) { few.score($0, s.baseAddress! + first, p.baseAddress! + first) }
                    }
                }
                XCTAssertTrue(taken, "a valid batch of \(size) goes through the one-candidate path")
            }
            for t in 0..<(event.count / size * size) {
                XCTAssertEqual(fewScore[t].bitPattern, score[t].bitPattern, "T5 \(t) in calls of \(size)")
                XCTAssertEqual(fewPass[t], pass[t], "T5 \(t) in calls of \(size)")
            }
        }
    }

    func testCallsThePathDoesNotTakeAreLeftUntouched() throws {
        let model = try T5Model.makeDefault()
        let few = try XCTUnwrap(model.few)
        let event = Event()
        var score: Float = -1, pass: UInt8 = 9
        func attempt(_ change: (inout T5BatchColumns) -> Void) -> Bool {
            event.withBatch(first: 0, count: 1) { columns in
                var b = columns
                change(&b)
                return few.score(b, &score, &pass)
            }
        }
        XCTAssertFalse(attempt { $0.t5Count = UInt64(fewCandidatesBelow) }, "larger calls go to the tile path")
        XCTAssertFalse(attempt { $0.t3Count = 1 }, "outer T3 index past n_t3")
        XCTAssertFalse(attempt { $0.mdCount = 4 }, "an anchor past n_md")
        XCTAssertFalse(attempt { $0.phi = nil }, "a NULL column")
        event.t3MD[3] = 1  // the outer T3 no longer starts at the inner T3's last MD
        XCTAssertFalse(attempt { _ in }, "a broken chain")
        XCTAssertEqual(score, -1, "nothing written")
        XCTAssertEqual(pass, 9, "nothing written")
        XCTAssertNil(try T5Model.parse(text: lstV1ModelText(), source: "test").few, "lst-v1 features: general path")
    }

    /// A small lst-v1 model file (its feature set has no one-candidate form).
    private func lstV1ModelText() -> String {
        let weights = (0..<38).map { _ in "[0.5]" }.joined(separator: ",")
        return """
        {"format": "trigml.t5-model", "format_version": 1, "feature_set": "lst-v1",
         "layers": [{"inputs": 38, "outputs": 1, "activation": "sigmoid", "weights": [\(weights)], "bias": [0.1]}],
         "working_point": {"kind": "single", "cut": 0.5}}
        """
    }
}
