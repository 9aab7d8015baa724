import TrigMLCPU
import TrigMLCore
import XCTest
@testable import TrigMLKernels

/// The float kernel that follows LST's arithmetic (FloatNetwork.swift):
/// unfused multiply then add, the bias first or last, LST's ReLU, sigmoid
/// and softmax with the C library's expf, lanes independent.
final class FloatNetworkTests: XCTestCase {
    func run(_ net: DenseNetwork, _ inputs: [FloatLanes], _ order: BiasOrder,
             kernels: KernelTable = KernelDispatch.active) -> [FloatLanes] {
        let float = try! FloatNetwork(net)
        var input = inputs
        var output = [FloatLanes](repeating: FloatLanes(), count: float.outputCount)
        var scratch = [FloatLanes](repeating: FloatLanes(), count: float.tileScratchCount)
        input.withUnsafeMutableBufferPointer { i in output.withUnsafeMutableBufferPointer { o in
            scratch.withUnsafeMutableBufferPointer { s in
                float.evaluate(input: i.baseAddress!, output: o.baseAddress!, scratch: s.baseAddress!, biasOrder: order,
                               kernels: kernels)
            }
        } }
        return output
    }

    /// One candidate through the one-candidate pass (outputs on the lanes).
    func runSingle(_ net: DenseNetwork, _ input: [Float], _ order: BiasOrder,
                   kernels: KernelTable = KernelDispatch.active) -> [Float] {
        let float = try! FloatNetwork(net)
        var output = [Float](repeating: .nan, count: float.maxStride)
        var scratch = [Float](repeating: .nan, count: float.singleScratchCount)
        output.withUnsafeMutableBufferPointer { o in scratch.withUnsafeMutableBufferPointer { s in
            float.evaluateSingle(input: input, output: o.baseAddress!, scratch: s.baseAddress!, biasOrder: order,
                                 kernels: kernels)
        } }
        return Array(output[0..<float.outputCount])
    }

    /// Sixteen lanes from a shorter list, the rest 0.
    func lanes(_ values: [Float]) -> FloatLanes {
        FloatLanes(values + [Float](repeating: 0, count: floatLaneWidth - values.count))
    }

    /// a * b + c where a fused multiply-add rounds once and the unfused form
    /// twice (a * b = 1 + 2^-11 + 2^-24 is not a float): LST, compiled with
    /// -ffp-contract=off, gets the unfused value, and so must the kernel.
    func testMultiplyThenAddIsNotFused() {
        let a = Float(1) + 0x1p-12, b = Float(1) + 0x1p-12, c = -(Float(1) + 0x1p-11)
        let product = a * b
        let unfused = c + product
        let fused = c.addingProduct(a, b)
        XCTAssertNotEqual(unfused, fused, "the case must tell fused from unfused")
        for outputs in [1, 4, 8] {  // a tail output, a group of four, a pass of eight
            let layer = DenseLayer(inputs: 1, outputs: outputs, weights: [Float](repeating: b, count: outputs),
                                   bias: [Float](repeating: c, count: outputs), activation: .linear)!
            let out = run(DenseNetwork(layers: [layer]), [FloatLanes(repeating: a)], .first)
            for o in 0..<outputs { XCTAssertEqual(out[o][3].bitPattern, unfused.bitPattern, "output \(o) of \(outputs)") }
            let single = runSingle(DenseNetwork(layers: [layer]), [a], .first)
            for o in 0..<outputs { XCTAssertEqual(single[o].bitPattern, unfused.bitPattern, "one-candidate output \(o)") }
        }
    }

    /// Bias first: ((b + x0 w0) + x1 w1) + x2 w2; bias last: ((0 + x0 w0) + x1 w1) + x2 w2 + b.
    func testBiasOrderAndInputOrder() {
        let x: [Float] = [1e8, 1, -1e8], w: [Float] = [1, 1, 1], bias: Float = 3
        let layer = DenseLayer(inputs: 3, outputs: 1, weights: w, bias: [bias], activation: .linear)!
        let net = DenseNetwork(layers: [layer])
        let inputs = x.map { FloatLanes(repeating: $0) }
        var first = bias
        for i in 0..<3 { first = first + x[i] * w[i] }
        var last: Float = 0
        for i in 0..<3 { last = last + x[i] * w[i] }
        last = last + bias
        XCTAssertNotEqual(first, last, "the sums must round differently")
        XCTAssertEqual(run(net, inputs, .first)[0][0], first)
        XCTAssertEqual(run(net, inputs, .last)[0][5], last)
    }

    func testReluIsLSTsAndMapsNaNToZero() {
        let layer = DenseLayer(inputs: 1, outputs: 1, weights: [1], bias: [0], activation: .relu)!
        let values: [Float] = [2, -2, 0, -0.0, .nan, .infinity, -.infinity, 1e-45]
        let out = run(DenseNetwork(layers: [layer]), [lanes(values)], .first)[0]
        XCTAssertEqual(Array((0..<8).map { out[$0] }), [2, 0, 0, 0, 0, .infinity, 0, 1e-45])
    }

    func testLanesAreIndependent() {
        // The same candidate in every lane next to different neighbours: same bits.
        var state: UInt32 = 11
        func weight() -> Float { state = state &* 1664525 &+ 1013904223; return Float(Int(state >> 20) - 2048) / 1000 }
        let l1 = DenseLayer(inputs: 5, outputs: 9, weights: (0..<45).map { _ in weight() }, bias: (0..<9).map { _ in weight() }, activation: .relu)!
        let l2 = DenseLayer(inputs: 9, outputs: 1, weights: (0..<9).map { _ in weight() }, bias: [weight()], activation: .linear)!
        let net = DenseNetwork(layers: [l1, l2])
        let candidate: [Float] = [0.3, -1.2, 2.5, 0.01, -0.7]
        var reference: Float?
        for lane in 0..<floatLaneWidth {
            let inputs = (0..<5).map { i in
                FloatLanes((0..<floatLaneWidth).map { $0 == lane ? candidate[i] : weight() })
            }
            let out = run(net, inputs, .first)[0][lane]
            if let reference { XCTAssertEqual(out.bitPattern, reference.bitPattern, "lane \(lane)") }
            reference = out
        }
    }

    /// The one-candidate pass (batch of one, a tile's last few candidates)
    /// gives each candidate the bits of its lane in a full tile, on every
    /// kernel path this CPU runs: widths that use every block of the tile
    /// kernel (8, 4, 1 outputs) and both vector chunks of the single pass,
    /// every activation, both bias orders.
    func testOneCandidatePassMatchesItsLaneOnEveryPath() {
        var state: UInt32 = 7
        func value() -> Float { state = state &* 1664525 &+ 1013904223; return Float(Int(state >> 20) - 2048) / 700 }
        let activations: [Activation] = [.relu, .linear, .tanh, .elu, .leakyRelu]
        for (index, widths) in [[5, 17, 1], [23, 33, 9, 3], [7, 12, 8, 4], [3, 40, 2]].enumerated() {
            var layers: [DenseLayer] = []
            for l in 0..<(widths.count - 1) {
                let (n, m) = (widths[l], widths[l + 1])
                let activation = l == widths.count - 2 ? Activation.linear : activations[(index + l) % activations.count]
                layers.append(DenseLayer(inputs: n, outputs: m, weights: (0..<(n * m)).map { _ in value() },
                                         bias: (0..<m).map { _ in value() }, activation: activation, alpha: 0.3)!)
            }
            let net = DenseNetwork(layers: layers)
            let inputs = (0..<widths[0]).map { _ in FloatLanes((0..<floatLaneWidth).map { _ in value() }) }
            for kernels in KernelDispatch.supportedTables {
                for order in [BiasOrder.first, .last] {
                    let tile = run(net, inputs, order, kernels: kernels)
                    for lane in [0, 5, floatLaneWidth - 1] {
                        let single = runSingle(net, inputs.map { $0[lane] }, order, kernels: kernels)
                        for o in 0..<net.outputCount {
                            XCTAssertEqual(single[o].bitPattern, tile[o][lane].bitPattern,
                                           "widths \(widths), path \(kernels.path), lane \(lane), output \(o)")
                        }
                    }
                }
            }
        }
    }

    func testSigmoidIsExpOverExpPlusOneWithLibcExpf() {
        let logits: [Float] = [0, 1.5, -3.25, 17, -90, 88.5, 88.8, .infinity]
        let got = lstSigmoid(lanes(logits))
        for (lane, x) in logits.enumerated() {
            let e = expf(x)
            let lst = e / (e + 1)
            if e == .infinity {
                XCTAssertTrue(lst.isNaN, "LST gets NaN where expf overflows")
                XCTAssertEqual(got[lane], 1, "the library gives 1 there (documented difference)")
            } else {
                XCTAssertEqual(got[lane].bitPattern, lst.bitPattern, "x = \(x)")
            }
        }
        XCTAssertTrue(lstSigmoid(FloatLanes(repeating: .nan))[0].isNaN)
    }

    func testSoftmaxIsLSTsSequentialSum() {
        var values = [FloatLanes(repeating: 0.5), FloatLanes(repeating: -1.25), FloatLanes(repeating: 2)]
        values.withUnsafeMutableBufferPointer { lstSoftmax($0.baseAddress!, count: 3) }
        let e = [expf(0.5), expf(-1.25), expf(2)]
        let sum = (Float(0) + e[0] + e[1]) + e[2]
        for k in 0..<3 { XCTAssertEqual(values[k][0].bitPattern, (e[k] / sum).bitPattern) }
    }
}
