import TrigMLKernels

/// Feature computation (v2: `t5dnn::runInference` in cmssw
/// RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h at 719e09e3; v1: the same
/// file at 2181e6aa), four candidates at a time into a float tile of
/// `floatLaneWidth` candidates.
///
/// Precision rule, shared with the numpy reference in tools/: every feature
/// is the float32 expression LST evaluates, operation for operation and in
/// LST's order (float division by the float constants, `log10f`,
/// `reducePhiRange`, the `Circle.h` bridge radius), never a double. The
/// network learned LST's float values, including the few-percent error of
/// the float bridge radius on near-straight bridges, so that is what
/// inference must feed it (docs/numerics.md).

/// The five anchor MD indices (md1 ... md5) of four candidates.
struct AnchorQuad {
    var md = (SIMD4<Int>(), SIMD4<Int>(), SIMD4<Int>(), SIMD4<Int>(), SIMD4<Int>())
}

extension T5Batch {
    /// Anchors of candidates first ..< first + lanes; lanes past `lanes`
    /// repeat candidate `first`, so they hold real data (results discarded).
    @inline(__always)
    func anchorQuad(first: Int, lanes: Int) -> AnchorQuad {
        var q = AnchorQuad()
        for lane in 0..<4 {
            let (m1, m2, m3, m4, m5) = anchors(first + (lane < lanes ? lane : 0))
            q.md.0[lane] = m1; q.md.1[lane] = m2; q.md.2[lane] = m3; q.md.3[lane] = m4; q.md.4[lane] = m5
        }
        return q
    }

    @inline(__always)
    func gather(_ column: UnsafePointer<Float>, _ m: SIMD4<Int>) -> LaneFloats {
        LaneFloats(column[m[0]], column[m[1]], column[m[2]], column[m[3]])
    }

    @inline(__always)
    func gatherLayer(_ m: SIMD4<Int>) -> LaneFloats {
        guard let layer else { return LaneFloats() }
        return LaneFloats(Float(layer[m[0]]), Float(layer[m[1]]), Float(layer[m[2]]), Float(layer[m[3]]))
    }

    @inline(__always)
    func radii(first: Int, lanes: Int) -> (inner: LaneFloats, outer: LaneFloats) {
        var inner = LaneFloats(), outer = LaneFloats()
        for lane in 0..<4 {
            let t = first + (lane < lanes ? lane : 0)
            inner[lane] = innerRadius(t)
            outer[lane] = outerRadius(t)
        }
        return (inner, outer)
    }

    /// Features of candidates `first ..< first + lanes` (lanes <= floatLaneWidth)
    /// into `tile` (`inputCount` lane vectors: tile[feature][lane]). Lanes
    /// past `lanes` are zero.
    @inline(__always)
    func tileFeatures(first: Int, lanes: Int, set: T5FeatureSet, into tile: UnsafeMutablePointer<FloatLanes>) {
        let raw = UnsafeMutableRawPointer(tile)
        var offset = 0
        while offset < lanes {
            let quadFirst = first + offset
            let quadLanes = min(4, lanes - offset)
            let quad = anchorQuad(first: quadFirst, lanes: quadLanes)
            let (rIn, rOut) = radii(first: quadFirst, lanes: quadLanes)
            @inline(__always) func put(_ feature: Int, _ v: LaneFloats) {
                raw.storeBytes(of: v, toByteOffset: (feature * floatLaneWidth + offset) * 4, as: LaneFloats.self)
            }
            switch set {
            case .lstV2: lstV2(quad, rIn, rOut, put)
            case .lstV1: lstV1(quad, rIn, rOut, put)
            }
            offset += 4
        }
        // A partial tile: lanes past the real candidates hold zeros (never
        // uninitialised values); their results are discarded.
        if offset < floatLaneWidth {
            for feature in 0..<set.inputCount {
                for lane in offset..<floatLaneWidth { tile[feature][lane] = 0 }
            }
        }
        if lanes < offset {
            for feature in 0..<set.inputCount {
                for lane in lanes..<offset { tile[feature][lane] = 0 }
            }
        }
    }

    /// The bridge radius: the `Circle.h` circle through anchors 2, 3 and 4
    /// (cmssw RecoTracker/LSTCore/src/alpaka/Quintuplet.h).
    @inline(__always)
    func bridgeRadius(_ q: AnchorQuad) -> LaneFloats {
        lstCircleRadius(gather(x, q.md.1), gather(y, q.md.1), gather(x, q.md.2), gather(y, q.md.2),
                        gather(x, q.md.3), gather(y, q.md.3))
    }

    /// LST v2, 23 inputs: each line is the float expression of
    /// `t5dnn::runInference` (NeuralNetwork.h at 719e09e3), divisions and all.
    @inline(__always)
    func lstV2(_ q: AnchorQuad, _ rIn: LaneFloats, _ rOut: LaneFloats, _ put: (Int, LaneFloats) -> Void) {
        let piF = T5Constants.pi, zMax = T5Constants.zMax, rMax = T5Constants.rMax
        let eta1 = gather(eta, q.md.0).magnitude
        put(0, eta1 / T5Constants.etaNorm)
        put(1, gather(phi, q.md.0).magnitude / piF)
        put(2, gather(z, q.md.0).magnitude / zMax)
        put(3, gather(r, q.md.0) / rMax)
        @inline(__always) func step(_ base: Int, _ b: SIMD4<Int>, _ a: SIMD4<Int>) {
            put(base, gather(eta, b).magnitude - gather(eta, a).magnitude)
            put(base + 1, deltaPhi(gather(phi, b), gather(phi, a)) / piF)
            put(base + 2, (gather(z, b).magnitude - gather(z, a).magnitude) / zMax)
            put(base + 3, (gather(r, b) - gather(r, a)) / rMax)
        }
        step(4, q.md.1, q.md.0)
        step(8, q.md.2, q.md.1)
        step(12, q.md.3, q.md.2)
        step(16, q.md.4, q.md.3)
        put(20, log10Lanes(rIn))
        put(21, log10Lanes(bridgeRadius(q)))
        put(22, log10Lanes(rOut))
    }

    /// LST v1, 38 raw inputs (NeuralNetwork.h at 2181e6aa).
    @inline(__always)
    func lstV1(_ q: AnchorQuad, _ rIn: LaneFloats, _ rOut: LaneFloats, _ put: (Int, LaneFloats) -> Void) {
        // `2 * k2Rinv1GeVf * R`: the int 2 times the float constant (exact), then times R.
        let twoK = 2 * T5Constants.k2Rinv1GeVf
        @inline(__always) func hit(_ base: Int, _ m: SIMD4<Int>) {
            put(base, gather(eta, m))
            put(base + 1, gather(phi, m))
            put(base + 2, gather(z, m))
            let hx = gather(x, m), hy = gather(y, m)
            put(base + 3, (hx * hx + hy * hy).squareRoot())
            put(base + 4, gatherLayer(m))
        }
        put(0, log10Lanes(twoK * rIn))
        hit(1, q.md.0)
        hit(6, q.md.1)
        hit(11, q.md.2)
        put(16, log10Lanes(twoK * rOut))
        hit(17, q.md.2)
        hit(22, q.md.3)
        hit(27, q.md.4)
        put(32, log10Lanes((rIn + rOut) * T5Constants.k2Rinv1GeVf))
        // T5 direction from md2 when md1's module has layers() == 1 (`layer2_adjustment`).
        let layer1 = gatherLayer(q.md.0)
        let useSecond = (layer1 .== Float(T5Constants.firstBarrelLayer)) .| (layer1 .== Float(T5Constants.firstEndcapDisk))
        put(33, gather(eta, q.md.0).replacing(with: gather(eta, q.md.1), where: useSecond))
        put(34, gather(phi, q.md.0).replacing(with: gather(phi, q.md.1), where: useSecond))
        put(35, log10Lanes(rIn))
        put(36, log10Lanes(bridgeRadius(q)))
        put(37, log10Lanes(rOut))
    }
}
