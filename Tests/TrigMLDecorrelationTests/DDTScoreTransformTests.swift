import TrigMLCore
import XCTest
@testable import TrigMLDecorrelation

/// The score transform travels with the map: a logit map takes the
/// tagger's probability and gives exactly what an identity map gives on the
/// logit a host computed itself; the file records it and refuses unknown
/// keys at every level.
final class DDTScoreTransformTests: XCTestCase {
    func settings(_ transform: ScoreTransform) throws -> DDTSettings {
        try DDTSettings(backgroundEfficiency: 0.1, rho: DDTAxis(min: -7, max: 0, bins: 5, name: "rho"),
                        pt: DDTAxis(min: 200, max: 1000, bins: 3, name: "pt"), minEntries: 5,
                        direction: .higherPasses, emptyBins: .fill, smoothing: .none, neighbours: 3,
                        scoreTransform: transform)
    }

    /// A deterministic background: probabilities over the whole [0, 1]
    /// (both ends included), masses and pT spread over the map.
    func sample(_ n: Int) -> (p: [Float], mass: [Float], pt: [Float]) {
        var p: [Float] = [], mass: [Float] = [], pt: [Float] = []
        var state: UInt64 = 12345
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        for k in 0..<n {
            let u = next()
            p.append(k == 0 ? 0 : k == 1 ? 1 : Float(u * u))
            pt.append(Float(220 + 760 * next()))
            mass.append(Float(5 + 250 * next()))
        }
        return (p, mass, pt)
    }

    /// The logit as a host computes it (tools/taggers/tagger_train.py
    /// ddt_score): double, p clamped to [2^-149, 1 - 2^-24], then float.
    func hostLogit(_ p: Float) -> Float {
        let c = min(max(Double(p), 0x1p-149), 1 - 0x1p-24)
        return Float(log(c) - log1p(-c))
    }

    func testLogitMapOnProbabilitiesEqualsIdentityMapOnLogits() throws {
        let (p, mass, pt) = sample(3000)
        let z = p.map(hostLogit)
        XCTAssertEqual(hostLogit(1), Float(log(1 - 0x1p-24) - log1p(-(1 - 0x1p-24))))
        let onLogit = try DDTMap.build(count: p.count, score: z, mass: mass, pt: pt, weight: nil, settings: settings(.identity))
        let onProbability = try DDTMap.build(count: p.count, score: p, mass: mass, pt: pt, weight: nil, settings: settings(.logit))
        XCTAssertEqual(onProbability.values, onLogit.values)
        var old = [Float](repeating: 0, count: p.count), new = old
        try onLogit.apply(count: p.count, score: z, mass: mass, pt: pt, out: &old)
        try onProbability.apply(count: p.count, score: p, mass: mass, pt: pt, out: &new)
        XCTAssertTrue(new.map(\.bitPattern) == old.map(\.bitPattern), "apply differs")
        // The probability through an identity map is not the same result
        // (the mistake the transform prevents).
        let wrong = try DDTMap.build(count: p.count, score: p, mass: mass, pt: pt, weight: nil, settings: settings(.identity))
        XCTAssertNotEqual(wrong.values, onLogit.values)
    }

    func testLogitMapsRefuseWhatIsNotAProbability() throws {
        let (p, mass, pt) = sample(400)
        var bad = p
        bad[17] = 2.5  // a logit passed by mistake
        XCTAssertThrowsError(try DDTMap.build(count: bad.count, score: bad, mass: mass, pt: pt, weight: nil, settings: settings(.logit))) {
            let message = ($0 as? TMLError)?.message ?? ""
            XCTAssertTrue(message.contains("score[17] = 2.5 is not a probability"), message)
        }
        let map = try DDTMap.build(count: p.count, score: p, mass: mass, pt: pt, weight: nil, settings: settings(.logit))
        var out = [Float](repeating: 7, count: 3)
        XCTAssertThrowsError(try map.apply(count: 3, score: [0.5, -0.25, 0.5], mass: [50, 50, 50], pt: [500, 500, 500], out: &out)) {
            XCTAssertEqual(($0 as? TMLError)?.code, .invalidArgument)
            XCTAssertTrue((($0 as? TMLError)?.message ?? "").contains("score[1] = -0.25"))
        }
        XCTAssertEqual(out, [7, 7, 7], "nothing written on failure")
        // NaN stays an input that gives NaN.
        try map.apply(count: 1, score: [.nan], mass: [50], pt: [500], out: &out)
        XCTAssertTrue(out[0].isNaN)
    }

    func testFileRecordsTheTransform() throws {
        let (p, mass, pt) = sample(600)
        let map = try DDTMap.build(count: p.count, score: p, mass: mass, pt: pt, weight: nil, settings: settings(.logit))
        let text = map.jsonText()
        XCTAssertTrue(text.contains("\"format_version\": 2"))
        XCTAssertTrue(text.contains("\"score_transform\": \"logit\""))
        let copy = try DDTMap.parse(text: text, source: "m.json")
        XCTAssertEqual(copy.settings.scoreTransform, .logit)
        XCTAssertEqual(copy.jsonText(), text)
        // Version 1 (before the member existed) is a map on the score as given.
        let version1 = text.replacing("\"format_version\": 2", with: "\"format_version\": 1")
            .replacing("  \"score_transform\": \"logit\",\n", with: "")
        XCTAssertEqual(try DDTMap.parse(text: version1, source: "m.json").settings.scoreTransform, .identity)
        XCTAssertThrowsError(try DDTMap.parse(text: text.replacing("\"format_version\": 2", with: "\"format_version\": 1"), source: "m.json")) {
            XCTAssertTrue((($0 as? TMLError)?.message ?? "").contains("score_transform needs format_version 2"))
        }
        // Version 2 must say which transform.
        XCTAssertThrowsError(try DDTMap.parse(text: text.replacing("  \"score_transform\": \"logit\",\n", with: ""), source: "m.json")) {
            XCTAssertTrue((($0 as? TMLError)?.message ?? "").contains("m.json: score_transform is missing"))
        }
        XCTAssertThrowsError(try DDTMap.parse(text: text.replacing("\"logit\"", with: "\"probit\""), source: "m.json")) {
            XCTAssertTrue((($0 as? TMLError)?.message ?? "").contains("'probit' is not one of identity, logit"))
        }
    }

    func testUnknownKeysAreRefusedAtEveryLevel() throws {
        let (p, mass, pt) = sample(600)
        let text = try DDTMap.build(count: p.count, score: p, mass: mass, pt: pt, weight: nil, settings: settings(.logit)).jsonText()
        for (edit, fragments) in [
            (text.replacing("\"direction\"", with: "\"score_transfrom\": \"logit\", \"direction\""),
             ["m.json: score_transfrom is not a known key", "did you mean 'score_transform'?"]),
            (text.replacing("\"bins\": 5", with: "\"bins\": 5, \"bnis\": 5"), ["m.json: rho.bnis is not a known key", "did you mean 'bins'?"]),
            (text.replacing("\"bins\": 3", with: "\"bins\": 3, \"mx\": 1"), ["m.json: pt.mx is not a known key", "did you mean 'max'?"]),
        ] {
            XCTAssertThrowsError(try DDTMap.parse(text: edit, source: "m.json")) {
                XCTAssertEqual(($0 as? TMLError)?.code, .format)
                let message = ($0 as? TMLError)?.message ?? ""
                for fragment in fragments { XCTAssertTrue(message.contains(fragment), "'\(message)' lacks '\(fragment)'") }
            }
        }
    }
}
