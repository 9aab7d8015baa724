import XCTest
@testable import TrigMLKernels

/// Lane math without libm: log10, exp, sigmoid, |x| and rounding, against
/// libm in double.
final class LaneMathTests: XCTestCase {
    func lanes(_ v: Double) -> LaneDoubles { LaneDoubles(repeating: v) }

    func testFastLog10MatchesLibmToDoubleRounding() {
        for x in [1e-30, 0.5, 1, 2, 10, 99.99, 439.0, 1e5, 3.4e38, 1e300] {
            XCTAssertEqual(fastLog10(lanes(x))[0], log10(x), accuracy: 4e-15 * max(1, abs(log10(x))), "\(x)")
        }
    }

    func testFastLog10SpecialValues() {
        let v = fastLog10(LaneDoubles(0, -1, .infinity, .nan))
        XCTAssertEqual(v[0], -.infinity)
        XCTAssertTrue(v[1].isNaN)
        XCTAssertEqual(v[2], .infinity)
        XCTAssertTrue(v[3].isNaN)
        XCTAssertEqual(fastLog10(lanes(.leastNonzeroMagnitude))[0], log10(Double.leastNonzeroMagnitude), accuracy: 1e-12, "subnormal")
    }

    func testExpNonPositiveMatchesLibm() {
        for x in [0.0, -1e-12, -0.3, -1, -10.5, -100, -700, -707.9] {
            let want = exp(x)
            XCTAssertEqual(expNonPositive(Lanes(repeating: x))[0], want, accuracy: 3e-13 * want, "\(x)")
        }
        XCTAssertEqual(expNonPositive(Lanes(repeating: -1e6))[0], exp(-708.0), accuracy: 3e-13 * exp(-708.0),
                       "clamped at -708, still normal")
        XCTAssertTrue(expNonPositive(Lanes(repeating: .nan))[0].isNaN)
    }

    func testSigmoidIsFiniteForLargeLogits() {
        for x in [-30.0, -2, -1e-9, 0, 0.5, 3, 36] {
            XCTAssertEqual(sigmoid(Lanes(repeating: x))[0], 1 / (1 + exp(-x)), accuracy: 1e-15, "\(x)")
        }
        XCTAssertEqual(sigmoid(Lanes(repeating: 1000))[0], 1, "LST's exp(x)/(exp(x)+1) would be NaN here")
        XCTAssertEqual(sigmoid(Lanes(repeating: .infinity))[0], 1)
        let tiny = sigmoid(Lanes(repeating: -700))[0]
        XCTAssertTrue(tiny > 0 && tiny < 1e-300)
        XCTAssertTrue(sigmoid(Lanes(repeating: .nan))[0].isNaN)
    }

    func testMagnitudeAndRounding() {
        let m = LaneDoubles(-2.5, -0.0, .nan, -.infinity).magnitude
        XCTAssertEqual(m[0], 2.5)
        XCTAssertEqual(m[1].sign, .plus)
        XCTAssertTrue(m[2].isNaN)
        XCTAssertEqual(m[3], .infinity)
        XCTAssertEqual(roundedToNearest(LaneDoubles(0.5, 1.5, -2.5, 2.6)), LaneDoubles(0, 2, -2, 3), "ties to even")
        XCTAssertEqual(LaneDoubles(0.1, 1, 2, 3).float32, SIMD4<Float>(0.1, 1, 2, 3))
    }
}
