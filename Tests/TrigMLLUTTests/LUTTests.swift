import XCTest
@testable import TrigMLLUT
import TrigMLForest
import TrigMLCore

final class LUTTests: XCTestCase {
    func testPresetsShape() throws {
        let expected: [String: (UInt64, UInt64, Int)] = [
            "emtf2017-mode15": (1 << 29, 1 << 29, 20), "emtf2017-mode14": (3 << 27, 1 << 27, 12),
            "emtf2017-mode13": (2 << 27, 1 << 27, 12), "emtf2017-mode11": (1 << 27, 1 << 27, 12),
            "emtf2017-mode7": (1 << 26, 1 << 26, 10), "emtf2017-mode12": (7 << 23, 1 << 23, 10),
            "emtf2017-mode10": (6 << 23, 1 << 23, 10), "emtf2017-mode9": (5 << 23, 1 << 23, 10),
            "emtf2017-mode6": (4 << 23, 1 << 23, 9), "emtf2017-mode5": (3 << 23, 1 << 23, 9),
            "emtf2017-mode3": (2 << 23, 1 << 23, 9)]
        for (name, (first, count, nF)) in expected {
            let s = try LUTScheme.preset(name)
            XCTAssertEqual(s.firstAddress, first, name)
            XCTAssertEqual(s.addressCount, count, name)
            XCTAssertEqual(s.featureCount, nF, name)
        }
        XCTAssertThrowsError(try LUTScheme.preset("emtf2017-mode8"))
    }

    func testMode15Decode() throws {
        let s = try LUTScheme.preset("emtf2017-mode15")
        // dPhi12 bin 70 -> 71, dPhi23 bin 18 -> 19 (same sign), dPhi34 bin 5 -> 6 (opposite),
        // dTheta code 3, FR1 1, mode15_8b = 64 + 32*2 + 28 + 2 (ring 2, theta 10, no RPC, bend 2)
        let a: UInt64 = (1 << 29) | 70 | (18 << 7) | (5 << 12) | (1 << 16) | (0 << 17) | (3 << 18) | (1 << 20) | (UInt64(64 + 64 + 28 + 2) << 21)
        var x = [Float](repeating: 0, count: 20)
        try [a].withUnsafeBufferPointer { try s.decode($0, into: &x) }
        let d12: Float = 71, d23: Float = 19, d34: Float = -6
        let d13 = d12 + d23, d14 = d13 + d34, d24 = d23 + d34
        XCTAssertEqual(Array(x[0..<10]), [10, 1, d12, d23, d34, d13, d14, d24, 1, 2])
        XCTAssertEqual(x[10], d12 + d13 + d14 + d23 + d24 + d34)
        XCTAssertEqual(x[11], abs(d12) + abs(d13) + abs(d14) + abs(d23) + abs(d24) + abs(d34))
        XCTAssertEqual(Array(x[15..<20]), [3, 0, 0, 0, 0])
    }

    func testRoundToFloat() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<100000 {
            let v = Int64.random(in: -(1 << 62)...(1 << 62), using: &rng) >> Int64.random(in: 0...60, using: &rng)
            let scale = Int.random(in: -126...20, using: &rng)
            XCTAssertEqual(roundToFloat(Int128(v), scale: scale).bitPattern, roundToFloat64(v, scale: scale).bitPattern)
        }
        XCTAssertEqual(roundToFloat(Int128(1), scale: -149), Float.leastNonzeroMagnitude)
        XCTAssertEqual(roundToFloat(Int128(3), scale: -150), 2 * Float.leastNonzeroMagnitude)  // 1.5 -> 2 (even)
        XCTAssertEqual(roundToFloat(Int128(1), scale: 200), .infinity)
    }

    func testConversionPresets() throws {
        let c = try PtConversion.preset("emtf2017")
        // out = 0.05 -> pt_xml = 20 -> pt = 20*1.2/(1-0.3) = 34.28.. -> word 69
        XCTAssertEqual(c.word(0.05), 69)
        XCTAssertEqual(c.word(-1), 511)
        let d = try PtConversion.preset("emtf2022")
        XCTAssertEqual(d.word(-3), UInt16(2 * 1.13 / (1 - 0.015) + 1))
    }

    func testSchemeFileErrors() {
        let bad = [
            "{", "{\"format\": \"x\"}",
            "{\"format\":\"trigml.lut-scheme\",\"format_version\":1,\"first_address\":0,\"address_bits\":4,\"fields\":[{\"name\":\"a\",\"offset\":0,\"width\":2,\"table\":[1,2]}],\"inputs\":[\"a\"]}",
            "{\"format\":\"trigml.lut-scheme\",\"format_version\":1,\"first_address\":0,\"address_bits\":4,\"fields\":[{\"name\":\"a\",\"offset\":3,\"width\":2}],\"inputs\":[\"a\"]}",
            "{\"format\":\"trigml.lut-scheme\",\"format_version\":1,\"first_address\":0,\"address_bits\":4,\"fields\":[{\"name\":\"a\",\"offset\":0,\"width\":2}],\"values\":[{\"name\":\"b\",\"op\":\"sub\",\"args\":[\"a\"]}],\"inputs\":[\"a\"]}",
            "{\"format\":\"trigml.lut-scheme\",\"format_version\":1,\"first_address\":0,\"address_bits\":4,\"fields\":[{\"name\":\"a\",\"offset\":0,\"width\":2}],\"inputs\":[\"zz\"]}",
        ]
        for text in bad {
            XCTAssertThrowsError(try LUTScheme.parse(text: text, source: "t"), text)
        }
    }

    /// Tabulated generation equals the one-address path on a random forest.
    func testGenerateEqualsEvaluate() throws {
        for name in ["emtf2017-mode7", "emtf2017-mode12"] {
            let s = try LUTScheme.preset(name)
            let forest = try Forest.parse(text: randomForestJSON(features: s.featureCount, trees: 12, seed: 7), source: "r")
            let conv = try PtConversion.preset("emtf2017")
            let first = s.firstAddress + (s.addressCount / 3)
            let n = 1 << 17
            var fast = [UInt16](repeating: 0, count: n)
            try fast.withUnsafeMutableBufferPointer { try LUTGenerator.generate(scheme: s, forest: forest, conversion: conv, first: first, count: UInt64(n), out: $0.baseAddress!, threads: 2) }
            var slow = [UInt16](repeating: 0, count: n)
            let addrs = (0..<UInt64(n)).map { first + $0 }
            try addrs.withUnsafeBufferPointer { a in try slow.withUnsafeMutableBufferPointer { try LUTGenerator.evaluate(scheme: s, forest: forest, conversion: conv, addresses: a, words: $0.baseAddress!, margins: nil, threads: 2) } }
            XCTAssertEqual(fast, slow, name)
        }
    }

    /// A user scheme whose arithmetic could overflow (1e300 * 1e300, then
    /// inf - inf = NaN) is refused when built, naming the value: decoded
    /// BDT inputs are finite for every address of every accepted scheme.
    func testSchemeThatCanOverflowIsRefused() {
        func scheme(_ big: String, inputs: String = "\"diff\",\"b\"") -> String {
            """
            {"format":"trigml.lut-scheme","format_version":1,"first_address":0,"address_bits":12,
             "fields":[{"name":"a","offset":0,"width":6,"table":[\((0..<64).map { $0 == 5 ? big : String($0) }.joined(separator: ","))]},
                       {"name":"b","offset":6,"width":6}],
             "values":[{"name":"huge","op":"mul","args":["a","a"]},
                       {"name":"diff","op":"sub","args":["huge","huge"]}],
             "inputs":[\(inputs)]}
            """
        }
        XCTAssertThrowsError(try LUTScheme.parse(text: scheme("1e300"), source: "s")) { error in
            XCTAssertTrue("\(error)".contains("'huge' can overflow"), "\(error)")
        }
        // Finite in double but not in float32: refused as an input only.
        XCTAssertThrowsError(try LUTScheme.parse(text: scheme("1e30", inputs: "\"huge\""), source: "s")) { error in
            XCTAssertTrue("\(error)".contains("outside the float32 range"), "\(error)")
        }
        // Bounds are conservative (huge - huge is bounded by +-1e20 here,
        // not 0), but far inside float32 for any physical scheme.
        XCTAssertNoThrow(try LUTScheme.parse(text: scheme("1e10"), source: "s"))
        XCTAssertNoThrow(try LUTScheme.parse(text: scheme("1e18", inputs: "\"huge\""), source: "s"))
    }

    /// The LUT form of a forest sends a NaN input the node's default way,
    /// exactly as the forest's own evaluation does (never reached through an
    /// accepted scheme, see above, but the rule is the forest's).
    func testLUTForestNaNFollowsDefaultDirection() throws {
        for defaultLeft in [true, false] {
            let forest = try Forest.parse(text: """
                {"format":"trigml.forest","format_version":1,"feature_count":2,"base_score":0,"trees":[
                 {"left":[1,-1,3,-1,-1],"right":[2,-1,4,-1,-1],"feature":[0,0,1,0,0],"threshold":[10,0,30,0,0],
                  "default_left":[\(defaultLeft),false,false,false,false],"value":[0,1.5,0,-2,4]}]}
                """, source: "nan-forest")
            let lut = try LUTForest(forest)
            for x: [Float] in [[.nan, 7], [.nan, 40], [3, 7], [12, 40]] {
                let margin = x.withUnsafeBufferPointer { lut.output(lut.sum($0.baseAddress!)) }
                XCTAssertEqual(margin, try forest.predictOne(x), "x = \(x), default_left \(defaultLeft)")
            }
            XCTAssertEqual([Float.nan, 7].withUnsafeBufferPointer { lut.output(lut.sum($0.baseAddress!)) },
                           defaultLeft ? 1.5 : -2)
        }
    }

    /// Every preset has a cut, so generation of large ranges is tabulated.
    func testEveryPresetTabulates() throws {
        for name in LUTScheme.presetNames {
            let s = try LUTScheme.preset(name)
            XCTAssertNotNil(LUTGenerator.split(s), name)
            let forest = try Forest.parse(text: randomForestJSON(features: s.featureCount, trees: 1, seed: 1), source: "r")
            XCTAssertNotNil(try Tabulation(scheme: s, forest: LUTForest(forest), threads: 1), name)
        }
    }

    func randomForestJSON(features: Int, trees: Int, seed: UInt64) -> String {
        var state = seed
        func next() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / Double(1 << 53) }
        var out = "{\"format\":\"trigml.forest\",\"format_version\":1,\"feature_count\":\(features),\"base_score\":0.05,\"trees\":["
        for t in 0..<trees {
            // complete depth-3 tree
            var left = [Int](), right = [Int](), feat = [Int](), thr = [Double](), val = [Double]()
            for i in 0..<15 {
                if i < 7 { left.append(2 * i + 1); right.append(2 * i + 2); feat.append(Int(next() * Double(features))); thr.append((next() * 60).rounded() + 0.5); val.append(0) }
                else { left.append(-1); right.append(-1); feat.append(0); thr.append(0); val.append((next() - 0.5) * 0.02) }
            }
            out += (t > 0 ? "," : "") + "{\"left\":\(left),\"right\":\(right),\"feature\":\(feat),\"threshold\":\(thr),\"value\":\(val)}"
        }
        return out + "]}"
    }
}

/// A forest's LUT form is made once, on first use, and shared.
final class LUTFormTests: XCTestCase {
    func testLUTFormIsBuiltOnceAndShared() throws {
        let forest = try Forest.parse(text: """
            {"format": "trigml.forest", "format_version": 1, "feature_count": 1, "base_score": 0.25,
             "trees": [{"left": [1, -1, -1], "right": [2, -1, -1], "feature": [0, 0, 0],
                        "threshold": [0.5, 0, 0], "value": [0, -1, 2]}]}
            """, source: "f.json")
        let forms = SharedBuffer<ObjectIdentifier?>(count: 4, initial: nil)
        Parallel.run(workers: 4) { worker in
            forms.pointer[worker] = (try? forest.lutForm()).map(ObjectIdentifier.init)
        }
        let first = try ObjectIdentifier(forest.lutForm())
        XCTAssertEqual((0..<4).map { forms.pointer[$0] }, Array(repeating: first, count: 4))
    }

    /// A float32-summed forest whose base margin overflows float32 still
    /// loads (and predicts +inf), but has no LUT form: every LUT call gets
    /// the same error, and the failure is not retried into a different one.
    func testLUTFormErrorIsReportedEveryTime() throws {
        let forest = try Forest(trees: [TreeNodes(left: [-1], right: [-1], feature: [0], threshold: [0],
                                                  defaultLeft: [false], value: [1], source: "t")],
                                featureCount: 1, baseMargin: 1e300, summation: .float32, origin: "huge")
        for _ in 0..<2 {
            XCTAssertThrowsError(try forest.lutForm()) { error in
                XCTAssertEqual((error as? TMLError)?.code, .format)
                XCTAssertEqual((error as? TMLError)?.message, "forest base margin is not finite")
            }
        }
    }
}
