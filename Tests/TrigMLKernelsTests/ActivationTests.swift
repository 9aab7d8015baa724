import XCTest
@testable import TrigMLKernels

/// The kernel activations added for taggers, against libm in double.
final class ActivationTests: XCTestCase {
    func run(_ activation: Activation, alpha: Double, _ x: Double) -> Double {
        guard let layer = DenseLayer(inputs: 1, outputs: 1, weights: [1], bias: [0], activation: activation, alpha: alpha) else {
            return .nan
        }
        let network = DenseNetwork(layers: [layer])
        var input = [Lanes(repeating: x)]
        var output = [Lanes()]
        var scratch = [Lanes](repeating: Lanes(), count: network.scratchCount)
        input.withUnsafeMutableBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in
                scratch.withUnsafeMutableBufferPointer { s in
                    network.evaluate(input: i.baseAddress!, output: o.baseAddress!, scratch: s.baseAddress!)
                }
            }
        }
        return output[0][0]
    }

    func testActivationsMatchLibm() {
        for x in [-30.0, -3.5, -1, -0.25, -1e-9, 0, 1e-9, 0.3, 2, 25] {
            XCTAssertEqual(run(.tanh, alpha: 0, x), tanh(x), accuracy: 1e-12, "tanh \(x)")
            XCTAssertEqual(run(.elu, alpha: 0.7, x), x < 0 ? 0.7 * expm1(x) : x, accuracy: 1e-12, "elu \(x)")
            XCTAssertEqual(run(.leakyRelu, alpha: 0.05, x), x < 0 ? 0.05 * x : x, "leaky \(x)")
            XCTAssertEqual(run(.relu, alpha: 0, x), max(x, 0), "relu \(x)")
        }
        XCTAssertTrue(run(.tanh, alpha: 0, .nan).isNaN)
        XCTAssertEqual(run(.tanh, alpha: 0, .infinity), 1)
    }
}
