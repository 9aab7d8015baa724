import TrigMLCore
import TrigMLCPU

// T5 feature computation on a tile of candidates (one per lane), compiled
// once per kernel path: v2 is `t5dnn::runInference` in cmssw
// RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h at 719e09e3, v1 the same
// file at 2181e6aa.
//
// Precision rule, shared with the numpy reference in tools/: every feature
// is the float32 expression LST evaluates, operation for operation and in
// LST's order (float division by the float constants, `log10f`,
// `reducePhiRange`, the `Circle.h` bridge radius), never a double. The
// network learned LST's float values, including the few-percent error of
// the float bridge radius on near-straight bridges, so that is what
// inference must feed it (docs/numerics.md). Lane arithmetic is exact per
// lane on every path (no contraction), so a candidate's features do not
// depend on its tile or the path.

/// Features of candidates `first ..< first + lanes` (1 <= lanes <= 16) into
/// `tile` (tile[feature] holds one feature of every lane). Up to four
/// candidates are computed on four lanes (the rest of the tile is 0): a call
/// for one candidate must not pay for sixteen. Otherwise lanes past `lanes`
/// repeat candidate `first` (0 where a C library call would be needed):
/// finite values whose results are discarded.
func t5Features(_ batch: UnsafePointer<T5BatchRecord>, _ first: Int, _ lanes: Int, _ recipe: T5FeatureRecipe,
                _ tile: UnsafeMutablePointer<FloatTile>) {
    if lanes <= 4 {
        computeFeatures(batch.pointee, first, lanes, recipe, as: SIMD4<Float>.self) { feature, value in
            tile[feature] = FloatTile(lowHalf: SIMD8(lowHalf: value, highHalf: .zero), highHalf: .zero)
        }
    } else {
        computeFeatures(batch.pointee, first, lanes, recipe, as: FloatTile.self) { feature, value in
            tile[feature] = value
        }
    }
}

@inline(__always)
func computeFeatures<V: SIMD>(_ b: T5BatchRecord, _ first: Int, _ lanes: Int, _ recipe: T5FeatureRecipe,
                              as: V.Type, _ put: (Int, V) -> Void) where V.Scalar == Float {
    let width = V.scalarCount
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 5 * width) { buffer in
        guard let anchors = buffer.baseAddress else { return }
        // The five anchor MDs (md1 ... md5) of each lane, as `t5dnn::runInference`
        // takes them: the inner T3's three MDs, then the outer T3's last two.
        for lane in 0..<width {
            let t = first + (lane < lanes ? lane : 0)
            let inner = 3 * Int(b.t5T3[2 * t]), outer = 3 * Int(b.t5T3[2 * t + 1])
            anchors[lane] = Int(b.t3MD[inner])
            anchors[width + lane] = Int(b.t3MD[inner + 1])
            anchors[2 * width + lane] = Int(b.t3MD[inner + 2])
            anchors[3 * width + lane] = Int(b.t3MD[outer + 1])
            anchors[4 * width + lane] = Int(b.t3MD[outer + 2])
        }
        let features = T5FeatureLanes<V>(batch: b, anchors: UnsafePointer(anchors), first: first, lanes: lanes)
        switch recipe {
        case .lstV2: features.lstV2(put)
        case .lstV1: features.lstV1(put)
        }
    }
}

/// One tile's candidates: their anchors and radii, gathered lane by lane.
struct T5FeatureLanes<V: SIMD> where V.Scalar == Float {
    let batch: T5BatchRecord
    /// anchors[a * V.scalarCount + lane]: anchor a (0 = md1) of each lane.
    let anchors: UnsafePointer<Int>
    let first: Int
    let lanes: Int

    /// Anchor `a`'s value of `column` on every lane.
    @inline(__always)
    func gather(_ column: UnsafePointer<Float>, _ a: Int) -> V {
        var v = V()
        withUnsafeMutableBytes(of: &v) { bytes in
            let out = bytes.bindMemory(to: Float.self)
            let md = anchors + a * V.scalarCount
            for lane in 0..<V.scalarCount { out[lane] = column[md[lane]] }
        }
        return v
    }

    @inline(__always)
    func layer(_ a: Int) -> V {
        var v = V()
        guard let layer = batch.layer else { return v }
        withUnsafeMutableBytes(of: &v) { bytes in
            let out = bytes.bindMemory(to: Float.self)
            let md = anchors + a * V.scalarCount
            for lane in 0..<V.scalarCount { out[lane] = Float(layer[md[lane]]) }
        }
        return v
    }

    /// The radius of the inner (`which` = 0) or outer (1) T3 of every lane.
    @inline(__always)
    func t3Radius(_ which: Int) -> V {
        var v = V()
        withUnsafeMutableBytes(of: &v) { bytes in
            let out = bytes.bindMemory(to: Float.self)
            for lane in 0..<V.scalarCount {
                let t = first + (lane < lanes ? lane : 0)
                out[lane] = batch.t3Radius[Int(batch.t5T3[2 * t + which])]
            }
        }
        return v
    }

    /// The bridge radius: the `Circle.h` circle through anchors 2, 3 and 4
    /// (cmssw RecoTracker/LSTCore/src/alpaka/Quintuplet.h).
    @inline(__always)
    func bridgeRadius() -> V {
        lstCircleRadius(gather(batch.x, 1), gather(batch.y, 1), gather(batch.x, 2), gather(batch.y, 2),
                        gather(batch.x, 3), gather(batch.y, 3))
    }

    /// LST v2, 23 inputs: each line is the float expression of
    /// `t5dnn::runInference` (NeuralNetwork.h at 719e09e3), divisions and all.
    @inline(__always)
    func lstV2(_ put: (Int, V) -> Void) {
        let piF = T5Constants.pi, zMax = T5Constants.zMax, rMax = T5Constants.rMax
        var eta = gather(batch.eta, 0), phi = gather(batch.phi, 0)
        var z = gather(batch.z, 0), r = gather(batch.r, 0)
        put(0, eta.magnitude / T5Constants.etaNorm)
        put(1, phi.magnitude / piF)
        put(2, z.magnitude / zMax)
        put(3, r / rMax)
        for a in 1..<5 {
            let etaB = gather(batch.eta, a), phiB = gather(batch.phi, a)
            let zB = gather(batch.z, a), rB = gather(batch.r, a)
            let base = 4 * a
            put(base, etaB.magnitude - eta.magnitude)
            put(base + 1, deltaPhi(phiB, phi) / piF)
            put(base + 2, (zB.magnitude - z.magnitude) / zMax)
            put(base + 3, (rB - r) / rMax)
            (eta, phi, z, r) = (etaB, phiB, zB, rB)
        }
        put(20, log10Lanes(t3Radius(0), lanes: lanes))
        put(21, log10Lanes(bridgeRadius(), lanes: lanes))
        put(22, log10Lanes(t3Radius(1), lanes: lanes))
    }

    /// LST v1, 38 raw inputs (NeuralNetwork.h at 2181e6aa).
    @inline(__always)
    func lstV1(_ put: (Int, V) -> Void) {
        // `2 * k2Rinv1GeVf * R`: the int 2 times the float constant (exact), then times R.
        let twoK = 2 * T5Constants.k2Rinv1GeVf
        let rIn = t3Radius(0), rOut = t3Radius(1)
        @inline(__always) func hit(_ base: Int, _ a: Int) {
            put(base, gather(batch.eta, a))
            put(base + 1, gather(batch.phi, a))
            put(base + 2, gather(batch.z, a))
            let hx = gather(batch.x, a), hy = gather(batch.y, a)
            put(base + 3, (hx * hx + hy * hy).squareRoot())
            put(base + 4, layer(a))
        }
        put(0, log10Lanes(twoK * rIn, lanes: lanes))
        hit(1, 0)
        hit(6, 1)
        hit(11, 2)
        put(16, log10Lanes(twoK * rOut, lanes: lanes))
        hit(17, 2)
        hit(22, 3)
        hit(27, 4)
        put(32, log10Lanes((rIn + rOut) * T5Constants.k2Rinv1GeVf, lanes: lanes))
        // T5 direction from md2 when md1's module has layers() == 1 (`layer2_adjustment`).
        let layer1 = layer(0)
        let useSecond = (layer1 .== Float(T5Constants.firstBarrelLayer)) .| (layer1 .== Float(T5Constants.firstEndcapDisk))
        put(33, gather(batch.eta, 0).replacing(with: gather(batch.eta, 1), where: useSecond))
        put(34, gather(batch.phi, 0).replacing(with: gather(batch.phi, 1), where: useSecond))
        put(35, log10Lanes(rIn, lanes: lanes))
        put(36, log10Lanes(bridgeRadius(), lanes: lanes))
        put(37, log10Lanes(rOut, lanes: lanes))
    }
}
