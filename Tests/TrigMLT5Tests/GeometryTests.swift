import TrigMLKernels
import XCTest
@testable import TrigMLT5

/// The geometric building blocks of the T5 features, on four lanes at once.
final class GeometryTests: XCTestCase {
    func lanes(_ v: Double) -> LaneDoubles { LaneDoubles(repeating: v) }

    func testDeltaPhiIsThePlainDifferenceInsideMinusPiToPi() {
        XCTAssertEqual(deltaPhi(lanes(0.3), lanes(0.1))[0], 0.3 - 0.1)
        XCTAssertEqual(deltaPhi(lanes(-1.0), lanes(2.0))[0], -3.0)
    }

    func testDeltaPhiWrapsAcrossThePiBoundary() {
        // Anchors just either side of phi = +-pi are 0.02 rad apart, not 2 pi - 0.02.
        XCTAssertEqual(deltaPhi(lanes(-Double.pi + 0.01), lanes(Double.pi - 0.01))[0], 0.02, accuracy: 1e-12)
        XCTAssertEqual(deltaPhi(lanes(Double.pi - 0.01), lanes(-Double.pi + 0.01))[0], -0.02, accuracy: 1e-12)
    }

    func testDeltaPhiWrapsInputsOutsideTheRange() {
        XCTAssertEqual(deltaPhi(lanes(7 * Double.pi + 0.5), lanes(0))[0], -Double.pi + 0.5, accuracy: 1e-12)
    }

    func testCircleRadiusOfPointsOnAKnownCircle() {
        let R = 439.0  // about a 5 GeV track in 3.8 T
        func point(_ a: Double) -> (LaneDoubles, LaneDoubles) { (lanes(R * cos(a) + 12), lanes(R * sin(a) - 40)) }
        let (x1, y1) = point(0.1), (x2, y2) = point(0.2), (x3, y3) = point(0.35)
        XCTAssertEqual(circleRadius(x1, y1, x2, y2, x3, y3)[0], R, accuracy: 1e-9 * R)
    }

    func testCircleRadiusOfCollinearPointsIsInfinite() {
        XCTAssertEqual(circleRadius(lanes(0), lanes(0), lanes(1), lanes(1), lanes(2), lanes(2))[0], .infinity)
    }

    func testCircleRadiusOfCoincidentPointsIsNaN() {
        XCTAssertTrue(circleRadius(lanes(1), lanes(1), lanes(1), lanes(1), lanes(2), lanes(3))[0].isNaN)
    }

    func testPtConstantIsLSTs() {
        // pT = 2 k R: 5 GeV at R ~ 439 cm (k2Rinv1GeVf of
        // RecoTracker/LSTCore/interface/alpaka/Common.h, 3.8 T).
        XCTAssertEqual(2 * T5Constants.k2Rinv1GeVf * 438.9, 5.0, accuracy: 0.001)
    }
}
