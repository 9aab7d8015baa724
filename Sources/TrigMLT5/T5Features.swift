import TrigMLKernels

/// Feature computation (v2: `t5dnn::runInference` in cmssw
/// RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h; v1: TrackLooper
/// SDL/NeuralNetwork.h), four candidates at
/// a time into a tile of `laneWidth` candidates.
///
/// Precision rule, shared with the numpy reference in tools/: every feature
/// is computed in double precision from the float32 columns and rounded to
/// float32 once. The bridge radius of a high-pT T5 is a near-collinear
/// circle fit; in float32 its relative error reaches 1e-4 at 100 GeV, which
/// would make "training sees what inference sees" untestable.

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
    func gather(_ column: UnsafePointer<Float>, _ m: SIMD4<Int>) -> LaneDoubles {
        LaneDoubles(Double(column[m[0]]), Double(column[m[1]]), Double(column[m[2]]), Double(column[m[3]]))
    }

    @inline(__always)
    func gatherLayer(_ m: SIMD4<Int>) -> LaneDoubles {
        guard let layer else { return LaneDoubles() }
        return LaneDoubles(Double(layer[m[0]]), Double(layer[m[1]]), Double(layer[m[2]]), Double(layer[m[3]]))
    }

    @inline(__always)
    func radii(first: Int, lanes: Int) -> (inner: LaneDoubles, outer: LaneDoubles) {
        var inner = LaneDoubles(), outer = LaneDoubles()
        for lane in 0..<4 {
            let t = first + (lane < lanes ? lane : 0)
            inner[lane] = Double(innerRadius(t))
            outer[lane] = Double(outerRadius(t))
        }
        return (inner, outer)
    }

    /// Features of candidates `first ..< first + lanes` (lanes <= laneWidth)
    /// into `tile` (`inputCount` lane vectors: tile[feature][lane]).
    @inline(__always)
    func tileFeatures(first: Int, lanes: Int, set: T5FeatureSet, into tile: UnsafeMutablePointer<Lanes>) {
        let raw = UnsafeMutableRawPointer(tile)
        var offset = 0
        // Only quads holding real candidates are computed; in a partial
        // tile (scored one candidate at a time) the lanes past them are
        // zeroed so the tile holds no uninitialised values.
        while offset < lanes {
            let quadFirst = first + offset
            let quadLanes = min(4, lanes - offset)
            let quad = anchorQuad(first: quadFirst, lanes: quadLanes)
            let (rIn, rOut) = radii(first: quadFirst, lanes: quadLanes)
            // Each feature is rounded to float32 once (the network input and
            // the value tml_t5_features reports), then held as a double.
            @inline(__always) func put(_ feature: Int, _ v: LaneDoubles) {
                let rounded = v.float32
                let held = LaneDoubles(Double(rounded[0]), Double(rounded[1]), Double(rounded[2]), Double(rounded[3]))
                raw.storeBytes(of: held, toByteOffset: (feature * laneWidth + offset) * 8, as: LaneDoubles.self)
            }
            switch set {
            case .lstV2: lstV2(quad, rIn, rOut, put)
            case .lstV1: lstV1(quad, rIn, rOut, put)
            }
            offset += 4
        }
        if offset < laneWidth {
            for feature in 0..<set.inputCount {
                for lane in offset..<laneWidth { tile[feature][lane] = 0 }
            }
        }
    }

    @inline(__always)
    func bridgeRadius(_ q: AnchorQuad) -> LaneDoubles {
        circleRadius(gather(x, q.md.1), gather(y, q.md.1), gather(x, q.md.2), gather(y, q.md.2),
                     gather(x, q.md.3), gather(y, q.md.3))
    }

    /// LST v2, 23 inputs (RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h).
    @inline(__always)
    func lstV2(_ q: AnchorQuad, _ rIn: LaneDoubles, _ rOut: LaneDoubles, _ put: (Int, LaneDoubles) -> Void) {
        // Normalisations as multiplications by the double reciprocal (a
        // vector division costs ten multiplications; the difference is at
        // most one double ulp, invisible after rounding to float32).
        let perZ = 1 / T5Constants.zMax, perR = 1 / T5Constants.rMax, perPi = 1 / Double.pi
        put(0, gather(eta, q.md.0).magnitude * (1 / T5Constants.etaNorm))
        put(1, gather(phi, q.md.0).magnitude * perPi)
        put(2, gather(z, q.md.0).magnitude * perZ)
        put(3, gather(r, q.md.0) * perR)
        @inline(__always) func step(_ base: Int, _ b: SIMD4<Int>, _ a: SIMD4<Int>) {
            put(base, gather(eta, b).magnitude - gather(eta, a).magnitude)
            put(base + 1, deltaPhi(gather(phi, b), gather(phi, a)) * perPi)
            put(base + 2, (gather(z, b).magnitude - gather(z, a).magnitude) * perZ)
            put(base + 3, (gather(r, b) - gather(r, a)) * perR)
        }
        step(4, q.md.1, q.md.0)
        step(8, q.md.2, q.md.1)
        step(12, q.md.3, q.md.2)
        step(16, q.md.4, q.md.3)
        put(20, fastLog10(rIn))
        put(21, fastLog10(bridgeRadius(q)))
        put(22, fastLog10(rOut))
    }

    /// LST v1, 38 raw inputs (TrackLooper SDL/NeuralNetwork.h).
    @inline(__always)
    func lstV1(_ q: AnchorQuad, _ rIn: LaneDoubles, _ rOut: LaneDoubles, _ put: (Int, LaneDoubles) -> Void) {
        let twoK = 2 * T5Constants.k2Rinv1GeVf
        @inline(__always) func hit(_ base: Int, _ m: SIMD4<Int>) {
            put(base, gather(eta, m))
            put(base + 1, gather(phi, m))
            put(base + 2, gather(z, m))
            let hx = gather(x, m), hy = gather(y, m)
            put(base + 3, (hx * hx + hy * hy).squareRoot())
            put(base + 4, gatherLayer(m))
        }
        put(0, fastLog10(twoK * rIn))
        hit(1, q.md.0)
        hit(6, q.md.1)
        hit(11, q.md.2)
        put(16, fastLog10(twoK * rOut))
        hit(17, q.md.2)
        hit(22, q.md.3)
        hit(27, q.md.4)
        put(32, fastLog10((rIn + rOut) * T5Constants.k2Rinv1GeVf))
        // T5 direction from md2 when md1 is on barrel layer 1 (`layer2_adjustment`).
        let onLayer1 = gatherLayer(q.md.0) .== Double(T5Constants.firstBarrelLayer)
        put(33, gather(eta, q.md.0).replacing(with: gather(eta, q.md.1), where: onLayer1))
        put(34, gather(phi, q.md.0).replacing(with: gather(phi, q.md.1), where: onLayer1))
        put(35, fastLog10(rIn))
        put(36, fastLog10(bridgeRadius(q)))
        put(37, fastLog10(rOut))
    }
}
