import XCTest
import TrigMLCPU
@testable import TrigMLKernels

/// Lane math without libm: exp, sigmoid and |x|, against libm in double.
final class LaneMathTests: XCTestCase {
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

    func testMagnitude() {
        let m = SIMD4<Double>(-2.5, -0.0, .nan, -.infinity).magnitude
        XCTAssertEqual(m[0], 2.5)
        XCTAssertEqual(m[1].sign, .plus)
        XCTAssertTrue(m[2].isNaN)
        XCTAssertEqual(m[3], .infinity)
        let f = SIMD4<Float>(-2.5, -0.0, .nan, -.infinity).magnitude
        XCTAssertEqual(f[0], 2.5)
        XCTAssertEqual(f[1].sign, .plus)
        XCTAssertTrue(f[2].isNaN)
        XCTAssertEqual(f[3], .infinity)
    }
}
