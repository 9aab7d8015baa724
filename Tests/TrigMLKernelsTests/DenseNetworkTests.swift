import TrigMLCore
import TrigMLCPU
import XCTest
@testable import TrigMLKernels

/// The dense-layer kernels: every kernel path gives
/// the same bits, against a plain double reference; the network-file reader.
final class DenseNetworkTests: XCTestCase {
    /// A 5-9-6-1 network: 9 and 6 outputs exercise the full groups of four
    /// and the tail outputs of both kernels.
    func network() -> DenseNetwork {
        var state: UInt64 = 7
        func weight() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 40) % 2001 - 1000) / 997
        }
        let widths = [5, 9, 6, 1]
        var layers: [DenseLayer] = []
        for l in 0..<3 {
            let (inputs, outputs) = (widths[l], widths[l + 1])
            let activation: Activation = l == 2 ? .linear : (l == 0 ? .tanh : .relu)
            layers.append(DenseLayer(inputs: inputs, outputs: outputs, weights: (0..<(inputs * outputs)).map { _ in weight() },
                                     bias: (0..<outputs).map { _ in weight() }, activation: activation)!)
        }
        return DenseNetwork(layers: layers)
    }

    /// Every kernel path this CPU runs gives the same bits (double and
    /// float networks), and the double result matches plain loops.
    func testEveryKernelPathAgreesBitForBit() {
        let net = network()
        let candidates = (0..<laneWidth).map { c in (0..<5).map { Double(c) * 0.37 - Double($0) * 0.61 } }
        var tile = (0..<5).map { i in Lanes((0..<laneWidth).map { candidates[$0][i] }) }
        var floatTile = (0..<5).map { i in FloatLanes((0..<floatLaneWidth).map { Float(candidates[$0 % laneWidth][i]) }) }
        let tables = KernelDispatch.supportedTables
        XCTAssertEqual(tables.first?.path, .baseline)
        var first: (Lanes, FloatLanes)?
        for table in tables {
            var output = [Lanes](repeating: Lanes(), count: 1)
            var scratch = [Lanes](repeating: Lanes(), count: net.scratchCount)
            tile.withUnsafeMutableBufferPointer { t in output.withUnsafeMutableBufferPointer { o in
                scratch.withUnsafeMutableBufferPointer { s in
                    net.evaluate(input: t.baseAddress!, output: o.baseAddress!, scratch: s.baseAddress!, kernels: table)
                }
            } }
            var floatOutput = [FloatLanes](repeating: FloatLanes(), count: 1)
            let floatNet = try! FloatNetwork(net)
            var floatScratch = [FloatLanes](repeating: FloatLanes(), count: floatNet.tileScratchCount)
            floatTile.withUnsafeMutableBufferPointer { t in floatOutput.withUnsafeMutableBufferPointer { o in
                floatScratch.withUnsafeMutableBufferPointer { s in
                    floatNet.evaluate(input: t.baseAddress!, output: o.baseAddress!, scratch: s.baseAddress!,
                                      biasOrder: .first, kernels: table)
                }
            } }
            if let (double, float) = first {
                for c in 0..<laneWidth {
                    XCTAssertEqual(output[0][c].bitPattern, double[c].bitPattern, "\(table.path) candidate \(c)")
                }
                for c in 0..<floatLaneWidth {
                    XCTAssertEqual(floatOutput[0][c].bitPattern, float[c].bitPattern, "\(table.path) float lane \(c)")
                }
            } else {
                first = (output[0], floatOutput[0])
            }
            for c in 0..<laneWidth {
                XCTAssertEqual(output[0][c], reference(net, candidates[c]), accuracy: 1e-12)
            }
        }
    }

    /// Plain loops in double with libm's tanh.
    func reference(_ net: DenseNetwork, _ input: [Double]) -> Double {
        var x = input
        for layer in net.layers {
            var y = [Double](repeating: 0, count: layer.outputs)
            for o in 0..<layer.outputs {
                var sum = Double(layer.bias(output: o))
                for i in 0..<layer.inputs { sum += x[i] * weight(layer, i, o) }
                switch layer.activation {
                case .tanh: sum = tanh(sum)
                case .relu: sum = max(sum, 0)
                default: break
                }
                y[o] = sum
            }
            x = y
        }
        return x[0]
    }

    /// Weight from input i to output o, read back from the kernel's layout.
    func weight(_ layer: DenseLayer, _ i: Int, _ o: Int) -> Double {
        Double(layer.weight(input: i, output: o))
    }

    func testLayerRefusesMismatchedSizes() {
        XCTAssertNil(DenseLayer(inputs: 2, outputs: 2, weights: [1, 2, 3], bias: [0, 0], activation: .relu))
        XCTAssertNil(DenseLayer(inputs: 1, outputs: 1, weights: [1], bias: [0], activation: .elu, alpha: .nan))
    }

    func parse(_ layers: String, inputs: Int) throws -> DenseNetwork {
        try NetworkFile.parse(JSONNode.parse(text: layers, source: "n.json"), inputs: inputs,
                              inputDescription: "the model has \(inputs) inputs", maxLayers: 2,
                              activation: NetworkFile.namedActivation)
    }

    func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return (error as? TMLError)?.message }
    }

    func testNetworkFileReaderChecksShapesAndActivations() throws {
        let layer = #"{"inputs": 2, "outputs": 1, "activation": "leaky_relu", "weights": [[1], [2]], "bias": [0.5]}"#
        let net = try parse("[\(layer)]", inputs: 2)
        XCTAssertEqual(net.layers[0].alpha, 0.01, "leaky_relu's default alpha")
        XCTAssertEqual(message { _ = try parse("[\(layer)]", inputs: 3) }, "n.json:[0].inputs = 2 but the model has 3 inputs")
        XCTAssertEqual(message { _ = try parse("[\(layer), \(layer), \(layer)]", inputs: 2) },
                       "n.json: must hold 1 to 2 layers, found 3")
        XCTAssertEqual(message { _ = try parse("[\(layer.replacingOccurrences(of: "leaky_relu", with: "gelu"))]", inputs: 2) },
                       "n.json:[0].activation = 'gelu' is not an activation (linear, relu, leaky_relu, elu, tanh)")
        XCTAssertEqual(message { _ = try parse("[\(layer.replacingOccurrences(of: "leaky_relu\"", with: "relu\", \"alpha\": 2"))]", inputs: 2) },
                       "n.json:[0].alpha is only meaningful for leaky_relu and elu, not 'relu'")
        XCTAssertEqual(message { _ = try parse("[\(layer.replacingOccurrences(of: "[[1], [2]]", with: "[[1]]"))]", inputs: 2) },
                       "n.json:[0].weights has 1 rows, expected 2 (one per input)")
    }
}
