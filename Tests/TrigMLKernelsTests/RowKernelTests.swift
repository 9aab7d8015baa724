import TrigMLCPU
import XCTest
@testable import TrigMLKernels

/// The double network over rows (`evaluateRows`, the tagger's kernel) gives
/// every lane exactly the bits of the four-lane tile kernel (`evaluate`),
/// on every kernel path, for every lane count of a 32-lane row: its passes
/// (4 outputs x 2 vectors, 8 x 1, 4 x 1, tail outputs) and activations.
final class RowKernelTests: XCTestCase {
    /// 5-12-9-6-3: 12 outputs give an odd tile's 8 x 1 and 4 x 1 passes,
    /// 9, 6 and 3 the tail outputs; every activation once.
    func network() -> DenseNetwork {
        var state: UInt64 = 11
        func value() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 40) % 2001 - 1000) / 613
        }
        let widths = [5, 12, 9, 6, 3]
        let activations: [(Activation, Double)] = [(.relu, 0), (.leakyRelu, 0.1), (.elu, 1), (.tanh, 0)]
            + [(.linear, 0)]
        var layers: [DenseLayer] = []
        for l in 0..<4 {
            let (inputs, outputs) = (widths[l], widths[l + 1])
            let (activation, alpha) = l == 3 ? activations[4] : activations[l]
            layers.append(DenseLayer(inputs: inputs, outputs: outputs,
                                     weights: (0..<(inputs * outputs)).map { _ in value() },
                                     bias: (0..<outputs).map { _ in value() }, activation: activation, alpha: alpha)!)
        }
        return DenseNetwork(layers: layers)
    }

    func testRowsEqualTilesOnEveryPath() {
        let net = network()
        let stride = 32
        XCTAssertEqual(stride % DenseNetwork.rowStrideGranule, 0)
        // Lane l's inputs; negative and positive, so relu and elu take both sides.
        func input(_ lane: Int, _ i: Int) -> Double { Double(lane) * 0.173 - Double(i) * 0.59 + 0.4 }
        // The tile kernel, four lanes at a time, on the baseline path.
        var expected = [[Double]](repeating: [], count: stride)
        for first in Swift.stride(from: 0, to: stride, by: laneWidth) {
            var tile = (0..<net.inputCount).map { i in Lanes((0..<laneWidth).map { input(first + $0, i) }) }
            var output = [Lanes](repeating: Lanes(), count: net.outputCount)
            var scratch = [Lanes](repeating: Lanes(), count: net.scratchCount)
            tile.withUnsafeMutableBufferPointer { t in output.withUnsafeMutableBufferPointer { o in
                scratch.withUnsafeMutableBufferPointer { s in
                    net.evaluate(input: t.baseAddress!, output: o.baseAddress!, scratch: s.baseAddress!,
                                 kernels: KernelDispatch.table(for: .baseline))
                }
            } }
            for lane in 0..<laneWidth { expected[first + lane] = (0..<net.outputCount).map { output[$0][lane] } }
        }
        for table in KernelDispatch.supportedTables {
            for lanes in [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32] {
                var rows = [Double](repeating: 0, count: net.inputCount * stride)
                for i in 0..<net.inputCount { for lane in 0..<lanes { rows[i * stride + lane] = input(lane, i) } }
                var output = [Double](repeating: .nan, count: net.outputCount * stride)
                var scratch = [Double](repeating: 0, count: net.rowScratchCount(stride: stride))
                rows.withUnsafeBufferPointer { x in output.withUnsafeMutableBufferPointer { o in
                    scratch.withUnsafeMutableBufferPointer { s in
                        net.evaluateRows(input: x.baseAddress!, output: o.baseAddress!, scratch: s.baseAddress!,
                                         lanes: lanes, stride: stride, kernels: table)
                    }
                } }
                for lane in 0..<lanes {
                    for k in 0..<net.outputCount {
                        XCTAssertEqual(output[k * stride + lane].bitPattern, expected[lane][k].bitPattern,
                                       "\(table.path), \(lanes) lanes: lane \(lane), output \(k)")
                    }
                }
            }
        }
    }
}
