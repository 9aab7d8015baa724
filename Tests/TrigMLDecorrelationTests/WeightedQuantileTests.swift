import XCTest
@testable import TrigMLDecorrelation

/// The documented weighted-quantile definition (mid-point positions, linear
/// interpolation, clamped ends).
final class WeightedQuantileTests: XCTestCase {
    func testUnitWeightsFollowHazensRule() {
        let s: [Double] = [1, 2, 3, 4]
        let w: [Double] = [1, 1, 1, 1]
        // positions 0.125, 0.375, 0.625, 0.875
        XCTAssertEqual(WeightedQuantile.ofSorted(s, w, level: 0.5), 2.5)
        XCTAssertEqual(WeightedQuantile.ofSorted(s, w, level: 0.125), 1)
        XCTAssertEqual(WeightedQuantile.ofSorted(s, w, level: 0.05), 1)
        XCTAssertEqual(WeightedQuantile.ofSorted(s, w, level: 0.95), 4)
        XCTAssertEqual(WeightedQuantile.ofSorted(s, w, level: 0.25), 1.5)
    }

    func testWeightsMoveThePositions() {
        // weights 3, 1: positions 0.375, 0.875
        let q = WeightedQuantile.ofSorted([0, 1], [3, 1], level: 0.625)
        XCTAssertEqual(q, 0.5)
        XCTAssertNil(WeightedQuantile.ofSorted([], [], level: 0.5))
    }
}
