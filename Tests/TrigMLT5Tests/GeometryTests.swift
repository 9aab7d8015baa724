import TrigMLCPU
import TrigMLCore
import TrigMLKernels
import XCTest
@testable import TrigMLT5

/// The geometric building blocks of the T5 features, on four lanes at once,
/// in LST's float arithmetic.
final class GeometryTests: XCTestCase {
    func lanes(_ v: Float) -> LaneFloats { LaneFloats(repeating: v) }

    func testPiIsRoundedToNearestNotTowardZero() {
        // std::numbers::pi_v<float> is 0x40490FDB; Swift's Float.pi is one ulp below.
        XCTAssertEqual(T5Constants.pi.bitPattern, 0x4049_0FDB)
        XCTAssertEqual(T5Constants.pi, Float(Double.pi))
        XCTAssertEqual(T5Constants.pi, Float.pi.nextUp)
    }

    func testDeltaPhiIsThePlainFloatDifferenceInsideMinusPiToPi() {
        XCTAssertEqual(deltaPhi(lanes(0.3), lanes(0.1))[0], Float(0.3) - Float(0.1))
        XCTAssertEqual(deltaPhi(lanes(-1.0), lanes(2.0))[0], -3.0)
    }

    func testDeltaPhiAtExactlyPiKeepsItsSign() {
        // reducePhiRange returns x unchanged when |x| <= pi_f: +pi_f stays +pi_f.
        let pi = T5Constants.pi
        XCTAssertEqual(deltaPhi(lanes(pi), lanes(0))[0], pi)
        XCTAssertEqual(deltaPhi(lanes(-pi), lanes(0))[0], -pi)
        XCTAssertEqual(deltaPhi(lanes(0), lanes(pi))[0], -pi)
    }

    func testDeltaPhiWrapsAcrossThePiBoundaryInFloat() {
        let a = Float(3.13), b = Float(-3.13)
        // x = b - a = -6.26 (float); n = round(x * o2pi) = -1; x - n * 2 * pi_f.
        let x = b - a
        let o2pi: Float = 1 / (2 * T5Constants.pi)
        let expected = x - (x * o2pi).rounded(.toNearestOrAwayFromZero) * 2 * T5Constants.pi
        XCTAssertEqual(deltaPhi(lanes(b), lanes(a))[0], expected)
        XCTAssertEqual(Double(expected), 6.28318530718 - 6.26, accuracy: 1e-5)
    }

    func testReducePhiRangeRoundsHalvesAwayFromZero() {
        // A float x with x * o2pi == 2.5 exactly: C's roundf gives 3 turns
        // (ties to even would give 2 and a result 2 pi_f larger).
        let o2pi: Float = 1 / (2 * T5Constants.pi)
        var x = Float(2.5) / o2pi
        for _ in 0..<64 where x * o2pi != 2.5 { x = x * o2pi < 2.5 ? x.nextUp : x.nextDown }
        XCTAssertEqual(x * o2pi, 2.5)
        XCTAssertEqual(reducePhiRange(lanes(x))[0], x - Float(3) * 2 * T5Constants.pi)
        XCTAssertEqual(reducePhiRange(lanes(-x))[0], -x + Float(3) * 2 * T5Constants.pi)
    }

    func testCircleRadiusOfPointsOnAKnownCircle() {
        // Pythagorean points, exact in float, on the circle of radius 300 about (0, -300).
        XCTAssertEqual(lstCircleRadius(lanes(0), lanes(0), lanes(84), lanes(-12), lanes(180), lanes(-60))[0], 300)
    }

    func testCircleRadiusOfNearlyStraightBridgeIsTheFloatFormula() {
        // R = 1e5 cm through points 20 cm apart: the float centre formula loses
        // digits against the exact circumradius (what LST trained on).
        let radius = 1.0e5
        func point(_ s: Double) -> (Float, Float) { (Float(radius * sin(s / radius)), Float(radius - radius * cos(s / radius))) }
        let (x1, y1) = point(50), (x2, y2) = point(70), (x3, y3) = point(90)
        let got = lstCircleRadius(lanes(x1), lanes(y1), lanes(x2), lanes(y2), lanes(x3), lanes(y3))[0]
        // The same expression written out in scalar float.
        let d = (y1 - y3) * (x2 - x3) - (x1 - x3) * (y2 - y3)
        let inv = 1 / d
        let s1 = x1 * x1 + y1 * y1, s2 = x2 * x2 + y2 * y2, s3 = x3 * x3 + y3 * y3
        let cx = 0.5 * ((y3 - y2) * s1 + (y1 - y3) * s2 + (y2 - y1) * s3) * inv
        let cy = 0.5 * ((x2 - x3) * s1 + (x3 - x1) * s2 + (x1 - x2) * s3) * inv
        let c = ((x2 * y3 - x3 * y2) * s1 + (x3 * y1 - x1 * y3) * s2 + (x1 * y2 - x2 * y1) * s3) * inv
        let radicand = cx * cx + cy * cy - c
        let expected = d == 0 || radicand < 0 ? -1 : radicand.squareRoot()
        XCTAssertEqual(got.bitPattern, expected.bitPattern)
    }

    func testCircleRadiusOfCollinearPointsIsTheMinusOneSentinel() {
        XCTAssertEqual(lstCircleRadius(lanes(0), lanes(0), lanes(1), lanes(1), lanes(2), lanes(2))[0], -1)
        XCTAssertTrue(log10Lanes(lanes(-1))[0].isNaN, "log10f of the sentinel is NaN: the NaN policy applies")
    }

    func testLog10IsTheCLibrarys() {
        for v: Float in [1e-30, 0.5, 1, 2, 120, 439.0, 1e6, 3.4e38] {
            XCTAssertEqual(log10Lanes(lanes(v))[0].bitPattern, log10f(v).bitPattern, "\(v)")
        }
    }

    func testPtConstantIsLSTsFloat() {
        // float k2Rinv1GeVf = (2.99792458e-3 * 3.8) / 2 (RecoTracker/LSTCore/interface/alpaka/Common.h).
        XCTAssertEqual(T5Constants.k2Rinv1GeVf.bitPattern, 0x3BBA_A5FD, "0.0056960569, the double 0.0056960567 rounded")
        XCTAssertEqual(Double(2 * T5Constants.k2Rinv1GeVf * 438.9), 5.0, accuracy: 0.001)
    }
}
