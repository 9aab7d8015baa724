import XCTest
import TrigMLCore
@testable import TrigMLForest

/// A small deterministic generator (SplitMix64), so tests need no seeds
/// from the system.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// A random tree with `leaves` leaves: split a random leaf until done.
/// Thresholds are small multiples of 0.25 so rows hit them exactly.
func randomTree(_ rng: inout SplitMix, leaves: Int, features: Int) -> TreeNodes {
    var left = [-1], right = [-1], feature = [0], threshold: [Float] = [0], dl = [false], value = [0.0]
    var open = [0]
    while open.count < leaves {
        let k = rng.below(open.count)
        let node = open.remove(at: k)
        let l = left.count
        left[node] = l
        right[node] = l + 1
        feature[node] = rng.below(features)
        threshold[node] = Float(rng.below(17) - 8) * 0.25
        dl[node] = rng.below(2) == 0
        for _ in 0..<2 {
            left.append(-1); right.append(-1); feature.append(0); threshold.append(0); dl.append(false)
            value.append(rng.unit() * 2 - 1)
        }
        open.append(l)
        open.append(l + 1)
    }
    if leaves == 1 { value[0] = rng.unit() }
    return TreeNodes(left: left, right: right, feature: feature, threshold: threshold,
                     defaultLeft: dl, value: value, source: "random")
}

/// The definition, one row and one node at a time.
func reference(_ trees: [TreeNodes], base: Double, summation: ForestSummation, row: [Float]) -> Float {
    var s32 = Float(base)
    var s64 = base
    for t in trees {
        var i = 0
        while t.left[i] != -1 {
            let v = row[t.feature[i]]
            let goLeft = v.isNaN ? t.defaultLeft[i] : v < t.threshold[i]
            i = goLeft ? t.left[i] : t.right[i]
        }
        s32 += Float(t.value[i])
        s64 += t.value[i]
    }
    return summation == .float32 ? s32 : Float(s64)
}

func randomRows(_ rng: inout SplitMix, count: Int, features: Int) -> [Float] {
    (0..<count * features).map { _ in
        switch rng.below(10) {
        case 0: return .nan
        case 1: return -0.0
        case 2: return .infinity
        case 3: return -.infinity
        case 4, 5, 6: return Float(rng.below(17) - 8) * 0.25
        default: return Float(rng.unit() * 5 - 2.5)
        }
    }
}

final class ForestEvaluationTests: XCTestCase {
    func testBatchedEqualsReference() throws {
        for summation in [ForestSummation.float32, .float64] { try batchedEqualsReference(summation: summation) }
    }

    func batchedEqualsReference(summation: ForestSummation) throws {
        var rng = SplitMix(state: summation == .float32 ? 1 : 2)
        let features = 5
        // Mixed sizes: single leaves, mask layout (<= 32 leaves) and walk layout.
        let sizes = [1, 2, 7, 32, 33, 64, 5, 31, 100, 16]
        let trees = sizes.map { randomTree(&rng, leaves: $0, features: features) }
        let forest = try Forest(trees: trees, featureCount: features, baseMargin: 0.375,
                                summation: summation, origin: "test")
        XCTAssertTrue(forest.layout.plans.map { $0.kind == .mask } == sizes.map { $0 <= 32 })
        let n = 1000
        let x = randomRows(&rng, count: n, features: features)
        var rowMajor = [Float](repeating: 0, count: n)
        try x.withUnsafeBufferPointer { xp in
            try rowMajor.withUnsafeMutableBufferPointer { op in
                try forest.predict(rows: n, x: xp.baseAddress!, rowStride: features, featureStride: 1, out: op.baseAddress!)
            }
        }
        // The same rows as columns (SoA).
        var columns = [Float](repeating: 0, count: n * features)
        for r in 0..<n { for f in 0..<features { columns[f * n + r] = x[r * features + f] } }
        var soa = [Float](repeating: 0, count: n)
        try columns.withUnsafeBufferPointer { xp in
            try soa.withUnsafeMutableBufferPointer { op in
                try forest.predict(rows: n, x: xp.baseAddress!, rowStride: 1, featureStride: n, out: op.baseAddress!)
            }
        }
        var mismatches = 0
        for r in 0..<n {
            let row = Array(x[r * features..<(r + 1) * features])
            let want = reference(trees, base: 0.375, summation: summation, row: row)
            if rowMajor[r].bitPattern != want.bitPattern || soa[r].bitPattern != want.bitPattern { mismatches += 1 }
            if r < 70 { XCTAssertTrue(try forest.predictOne(row)?.bitPattern == want.bitPattern) }
        }
        XCTAssertTrue(mismatches == 0)
    }

    func testTailsAndSingleRows() throws {
        var rng = SplitMix(state: 3)
        let trees = (0..<6).map { randomTree(&rng, leaves: 3 + 9 * $0, features: 3) }
        let forest = try Forest(trees: trees, featureCount: 3, baseMargin: 0, summation: .float32, origin: "test")
        let x = randomRows(&rng, count: 200, features: 3)
        for n in [1, 2, 3, 4, 5, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200] {
            var out = [Float](repeating: .nan, count: n + 1)
            try x.withUnsafeBufferPointer { xp in
                try out.withUnsafeMutableBufferPointer { op in
                    try forest.predict(rows: n, x: xp.baseAddress!, rowStride: 3, featureStride: 1, out: op.baseAddress!)
                }
            }
            XCTAssertTrue(out[n].isNaN, "wrote past the end for n = \(n)")
            for r in 0..<n {
                let want = reference(trees, base: 0, summation: .float32, row: Array(x[3 * r..<3 * r + 3]))
                XCTAssertTrue(out[r].bitPattern == want.bitPattern)
            }
        }
    }

    func testPredictShapeChecks() {
        XCTAssertTrue((try? PredictShape(rows: 10, rowStride: 5, featureStride: 1, featureCount: 5)) != nil)
        XCTAssertTrue((try? PredictShape(rows: 0, rowStride: .max, featureStride: 0, featureCount: 5)) == nil)
        XCTAssertTrue((try? PredictShape(rows: 1 << 62, rowStride: 1, featureStride: 1, featureCount: 5)) == nil)
        XCTAssertTrue((try? PredictShape(rows: 3, rowStride: 1 << 44, featureStride: 1, featureCount: 5)) == nil)
        XCTAssertTrue((try? PredictShape(rows: 3, rowStride: 1, featureStride: 1 << 43, featureCount: 5)) == nil)
        XCTAssertTrue((try? PredictShape(rows: 0, rowStride: 0, featureStride: 0, featureCount: 5)) != nil)
    }

    func testSingleLeafTreesOnly() throws {
        let leaf = { (v: Double) in
            TreeNodes(left: [-1], right: [-1], feature: [0], threshold: [0], defaultLeft: [false], value: [v], source: "leaf")
        }
        for summation in [ForestSummation.float32, .float64] {
            let forest = try Forest(trees: [leaf(0.1), leaf(0.2), leaf(1e-9)], featureCount: 1, baseMargin: 1,
                                    summation: summation, origin: "test")
            let want = summation == .float32 ? Float(1) + Float(0.1) + Float(0.2) + Float(1e-9) : Float(1 + 0.1 + 0.2 + 1e-9)
            XCTAssertTrue(try forest.predictOne([.nan])?.bitPattern == want.bitPattern)
            XCTAssertTrue(try forest.predictOne([3])?.bitPattern == want.bitPattern)
        }
    }

    func testEmptyForestIsTheBase() throws {
        let forest = try Forest(trees: [], featureCount: 2, baseMargin: -1.25, summation: .float32, origin: "test")
        XCTAssertTrue(try forest.predictOne([1, 2]) == -1.25)
    }
}
