import TrigMLCPU
import TrigMLKernels
import XCTest
@testable import TrigMLT5

/// One T5 built from five anchors, with its columns kept alive for the test.
final class OneT5 {
    var x: [Float] = [10, 20, 30, 40, 50]
    var y: [Float] = [1, 3, 6, 10, 15]
    var z: [Float] = [-5, -10, -15, -20, -25]
    var r: [Float] = [23, 36, 51, 68, 86]
    var eta: [Float] = [-0.6, -0.62, -0.64, -0.66, -0.68]
    var phi: [Float] = [3.1, 3.13, -3.13, -3.1, -3.05]
    var layer: [UInt8] = [1, 2, 3, 4, 5]
    var t3MD: [UInt32] = [0, 1, 2, 2, 3, 4]
    var t3Radius: [Float] = [120, 150]
    var t5T3: [UInt32] = [0, 1]

    func withBatch<R>(_ body: (T5BatchColumns) throws -> R) rethrows -> R {
        try x.withUnsafeBufferPointer { x in try y.withUnsafeBufferPointer { y in
        try z.withUnsafeBufferPointer { z in try r.withUnsafeBufferPointer { r in
        try eta.withUnsafeBufferPointer { eta in try phi.withUnsafeBufferPointer { phi in
        try layer.withUnsafeBufferPointer { layer in try t3MD.withUnsafeBufferPointer { t3 in
        try t3Radius.withUnsafeBufferPointer { rad in try t5T3.withUnsafeBufferPointer { t5 in
            var b = T5BatchColumns()
            (b.mdCount, b.t3Count, b.t5Count) = (5, 2, 1)
            (b.x, b.y, b.z, b.r, b.eta, b.phi) = (x.baseAddress, y.baseAddress, z.baseAddress,
                                                  r.baseAddress, eta.baseAddress, phi.baseAddress)
            (b.layer, b.t3MD, b.t3Radius, b.t5T3) = (layer.baseAddress, t3.baseAddress, rad.baseAddress, t5.baseAddress)
            return try body(b)
        } } } } } } } } } }
    }

    func features(_ set: T5FeatureSet) throws -> [Float] {
        try withBatch { b in
            try T5Batch(b, featureSet: set).features(of: 0, set: set)
        }
    }
}

final class FeatureTests: XCTestCase {
    let piF = T5Constants.pi

    func testLstV2FirstHitIsNormalisedAbsoluteInFloat() throws {
        let f = try OneT5().features(.lstV2)
        XCTAssertEqual(f[0], Float(0.6) / 2.5, "|eta1| / 2.5f")
        XCTAssertEqual(f[1], Float(3.1) / piF, "|phi1| / kPi")
        XCTAssertEqual(f[2], Float(5) / Float(267.2349854))
        XCTAssertEqual(f[3], Float(23) / Float(110.1099396))
    }

    func testLstV2DeltasUseAbsoluteEtaAndZAndWrappedPhi() throws {
        let f = try OneT5().features(.lstV2)
        XCTAssertEqual(f[4], Float(0.62) - Float(0.6), "|eta2| - |eta1|, unscaled, in float")
        // phi 3.13 -> -3.13 crosses pi: the step is +0.0232, not -6.26.
        XCTAssertEqual(f[9], deltaPhi(LaneFloats(repeating: -3.13), LaneFloats(repeating: 3.13))[0] / piF)
        XCTAssertGreaterThan(f[9], 0)
        XCTAssertLessThan(f[9], 0.01)
        XCTAssertEqual(f[6], (Float(10) - Float(5)) / Float(267.2349854), "|z2| - |z1| over z_max")
        XCTAssertEqual(f[19], (Float(86) - Float(68)) / Float(110.1099396))
    }

    func testLstV2LogRadiiWithTheFloatBridgeThroughAnchors234() throws {
        let f = try OneT5().features(.lstV2)
        XCTAssertEqual(f[20], log10f(120))
        XCTAssertEqual(f[22], log10f(150))
        let bridge = lstCircleRadius(LaneFloats(repeating: 20), LaneFloats(repeating: 3), LaneFloats(repeating: 30),
                                     LaneFloats(repeating: 6), LaneFloats(repeating: 40), LaneFloats(repeating: 10))[0]
        XCTAssertEqual(f[21], log10f(bridge))
    }

    func testLstV1HasRawSignedHitsLayersAndTheSharedHitTwice() throws {
        let f = try OneT5().features(.lstV1)
        let k = T5Constants.k2Rinv1GeVf
        XCTAssertEqual(f.count, 38)
        XCTAssertEqual(f[0], log10f(2 * k * 120))
        XCTAssertEqual(f[1], -0.6, "signed eta")
        XCTAssertEqual(f[3], -5, "signed z")
        XCTAssertEqual(f[4], (Float(100) + Float(1)).squareRoot(), "r = sqrtf(x*x + y*y), not md_r")
        XCTAssertEqual(f[5], 1, "layer")
        XCTAssertEqual(Array(f[11...15]), Array(f[17...21]), "hit 3 appears for both T3s")
        XCTAssertEqual(f[32], log10f((Float(120) + Float(150)) * k))
    }

    func testLstV1DirectionComesFromHit2WhenHit1IsOnLayerOrDiskOne() throws {
        let t = OneT5()
        var f = try t.features(.lstV1)
        XCTAssertEqual(f[33], t.eta[1])
        XCTAssertEqual(f[34], t.phi[1])
        t.layer[0] = 7  // endcap disk 1: LST's modules.layers() is 1 there too
        f = try t.features(.lstV1)
        XCTAssertEqual(f[33], t.eta[1])
        t.layer[0] = 2
        f = try t.features(.lstV1)
        XCTAssertEqual(f[33], t.eta[0])
        t.layer[0] = 8
        f = try t.features(.lstV1)
        XCTAssertEqual(f[33], t.eta[0])
    }

    func testCollinearBridgeGivesANaNFeature() throws {
        let t = OneT5()
        (t.x[1], t.y[1], t.x[2], t.y[2], t.x[3], t.y[3]) = (20, 2, 30, 3, 40, 4)
        let f = try t.features(.lstV2)
        XCTAssertTrue(f[21].isNaN, "log10f(-1): LST's sentinel")
    }

    func testBrokenIndexChainIsRejected() {
        let t = OneT5()
        t.t3MD = [0, 1, 2, 3, 3, 4]
        XCTAssertThrowsError(try t.features(.lstV2)) { error in
            XCTAssertTrue("\(error)".contains("share"), "\(error)")
        }
    }

    func testIndexPastTheArraysIsRejected() {
        let t = OneT5()
        t.t5T3 = [0, 2]
        XCTAssertThrowsError(try t.features(.lstV2))
        let u = OneT5()
        u.t3MD = [0, 1, 2, 2, 3, 5]
        XCTAssertThrowsError(try u.features(.lstV2))
    }
}
