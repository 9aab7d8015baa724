import TrigMLCore
import XCTest
@testable import TrigMLDecorrelation

/// DDT axes, build, lookup, file round trip and the metric.
final class DDTTests: XCTestCase {
    func testAxisBinsAndInterpolation() throws {
        let a = try DDTAxis(min: 0, max: 10, bins: 5, name: "x")
        XCTAssertEqual(a.bin(0), 0)
        XCTAssertEqual(a.bin(9.999), 4)
        XCTAssertNil(a.bin(10))
        XCTAssertNil(a.bin(-0.1))
        XCTAssertNil(a.bin(.nan))
        // centres at 1, 3, 5, 7, 9
        XCTAssertTrue(a.interpolation(4) == (1, 2, 0.5))
        XCTAssertTrue(a.interpolation(-.infinity) == (0, 1, 0))
        XCTAssertTrue(a.interpolation(100) == (3, 4, 1))
        XCTAssertThrowsError(try DDTAxis(min: 1, max: 1, bins: 3, name: "x"))
        XCTAssertThrowsError(try DDTAxis(min: 0, max: 1, bins: 0, name: "x"))
    }

    func testConfigDefaults() throws {
        let settings = try DDTSettings.defaults(backgroundEfficiency: 0.05)
        XCTAssertEqual(settings.rho.bins, 35)
        XCTAssertEqual(settings.pt.bins, 8)
        XCTAssertEqual(settings.rho.min, -7)
        XCTAssertEqual(settings.pt.max, 1000)
        XCTAssertEqual(settings.smoothing, .none)
        XCTAssertEqual(settings.direction, .higherPasses)
        XCTAssertThrowsError(try DDTSettings.defaults(backgroundEfficiency: 1))
    }

    /// A 2 x 1 map from a sample where bin 0 has scores 1...100 and bin 1
    /// has 101...200: X is the Hazen quantile per bin, interpolated between.
    func testBuildApplyAndRoundTrip() throws {
        let settings = try DDTSettings(backgroundEfficiency: 0.25, rho: DDTAxis(min: -4, max: 0, bins: 2, name: "rho"),
                                       pt: DDTAxis(min: 100, max: 1100, bins: 1, name: "pt"), minEntries: 10,
                                       direction: .higherPasses, emptyBins: .fill, smoothing: .none, neighbours: 5)
        var score: [Float] = [], mass: [Float] = [], pt: [Float] = []
        for k in 0..<200 {
            score.append(Float(k + 1))
            pt.append(500)
            // rho = 2 ln(m/500): -3 (bin 0) or -1 (bin 1)
            mass.append(k < 100 ? Float(500 * exp(-1.5)) : Float(500 * exp(-0.5)))
        }
        let map = try DDTMap.build(count: 200, score: score, mass: mass, pt: pt, weight: nil, settings: settings)
        // level 0.75 of 1...100 by Hazen: position (i - 0.5)/100 -> 75.5
        XCTAssertEqual(map.values[0], 75.5, accuracy: 1e-12)
        XCTAssertEqual(map.values[1], 175.5, accuracy: 1e-12)
        XCTAssertEqual(map.value(rho: -2, pt: 500), 125.5, accuracy: 1e-12)
        XCTAssertEqual(map.value(rho: -100, pt: 5), 75.5, accuracy: 1e-12)
        let copy = try DDTMap.parse(text: map.jsonText(), source: "m.json")
        XCTAssertEqual(copy.values, map.values)
        XCTAssertEqual(copy.settings, map.settings)
        XCTAssertEqual(copy.jsonText(), map.jsonText())
    }

    func testMetricOnASeparableSample() throws {
        // signal scores 1, background 0 with two masses: nothing sculpted
        let score: [Float] = [1, 1, 0, 0, 0, 0]
        let isSignal: [UInt8] = [1, 1, 0, 0, 0, 0]
        let mass: [Float] = [80, 80, 60, 60, 100, 100]
        let (r, j) = try SculptingMetrics.r50InverseJSD(count: 6, score: score, isSignal: isSignal, mass: mass, weight: nil)
        XCTAssertEqual(r, .infinity)
        XCTAssertTrue(j.isNaN)
        XCTAssertEqual(SculptingMetrics.jensenShannon([1, 0], [0, 1]), 1)
        XCTAssertEqual(SculptingMetrics.jensenShannon([1, 1], [2, 2]), 0)
    }
}
