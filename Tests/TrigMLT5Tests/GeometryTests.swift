import XCTest
@testable import TrigMLT5

/// The geometric building blocks of the T5 features.
final class GeometryTests: XCTestCase {
    func testDeltaPhiIsThePlainDifferenceInsideMinusPiToPi() {
        XCTAssertEqual(deltaPhi(0.3, 0.1), 0.3 - 0.1)
        XCTAssertEqual(deltaPhi(-1.0, 2.0), -3.0)
    }

    func testDeltaPhiWrapsAcrossThePiBoundary() {
        // Anchors just either side of phi = +-pi are 0.02 rad apart, not 2 pi - 0.02.
        XCTAssertEqual(deltaPhi(-Double.pi + 0.01, Double.pi - 0.01), 0.02, accuracy: 1e-12)
        XCTAssertEqual(deltaPhi(Double.pi - 0.01, -Double.pi + 0.01), -0.02, accuracy: 1e-12)
    }

    func testDeltaPhiWrapsInputsOutsideTheRange() {
        XCTAssertEqual(deltaPhi(7 * Double.pi + 0.5, 0), -Double.pi + 0.5, accuracy: 1e-12)
    }

    func testCircleRadiusOfPointsOnAKnownCircle() {
        let R = 439.0  // about a 5 GeV track in 3.8 T
        func point(_ a: Double) -> (Double, Double) { (R * cos(a) + 12, R * sin(a) - 40) }
        let (x1, y1) = point(0.1), (x2, y2) = point(0.2), (x3, y3) = point(0.35)
        XCTAssertEqual(circleRadius(x1, y1, x2, y2, x3, y3), R, accuracy: 1e-9 * R)
    }

    func testCircleRadiusOfCollinearPointsIsInfinite() {
        XCTAssertEqual(circleRadius(0, 0, 1, 1, 2, 2), .infinity)
    }

    func testCircleRadiusOfCoincidentPointsIsNaN() {
        XCTAssertTrue(circleRadius(1, 1, 1, 1, 2, 3).isNaN)
    }

    func testPtConstantIsLSTs() {
        // pT = 2 k R: 5 GeV at R ~ 439 cm (facts, section 1.1).
        XCTAssertEqual(2 * T5Constants.k2Rinv1GeVf * 438.9, 5.0, accuracy: 0.001)
    }
}
