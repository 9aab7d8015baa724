import TrigMLCore
import TrigMLCPU

// One T5 candidate from its index chain to its network output, for calls
// with too few candidates to fill a tile (a host scoring candidate by
// candidate, as LST's own per-thread loop does). The features are LST v2's
// (`t5dnn::runInference`, cmssw RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h
// at 719e09e3) with the operations of T5FeatureLanes.lstV2, but spread over
// the lanes of one candidate: the four columns of an anchor side by side, the
// four anchor-to-anchor steps in one 16-lane vector. Each lane still does
// exactly its feature's float operations, so the bits are those of the
// candidate's lane in a tile (Tests/TrigMLKernelsTests/T5SingleCandidateTests.swift).

/// (|eta|, phi, |z|, r) of MD `md`: the columns LST v2 reads per anchor.
@inline(__always)
private func anchorColumns(_ b: T5BatchRecord, _ md: UInt32) -> SIMD4<Float> {
    let m = Int(md)
    return SIMD4(b.eta[m].magnitude, b.phi[m], b.z[m].magnitude, b.r[m])
}

/// LST v2's 23 inputs of candidate `t` into `x`; whether all are finite.
@inline(__always)
func lstV2Inputs(_ b: T5BatchRecord, _ t: Int, _ x: UnsafeMutablePointer<Float>) -> Bool {
    let innerT3 = Int(b.t5T3[2 &* t]), outerT3 = Int(b.t5T3[2 &* t &+ 1])
    let inner = b.t3MD + 3 &* innerT3, outer = b.t3MD + 3 &* outerT3
    // x20-x22 first (their C library calls are the longest chain, and the
    // rest can run meanwhile): log10 of the inner T3 radius, the bridge
    // radius (the Circle.h circle through md2, md3, md4), the outer T3 radius.
    let m1 = Int(inner[1]), m2 = Int(inner[2]), m3 = Int(outer[1])
    let bridge = lstCircleRadius(SIMD4(repeating: b.x[m1]), SIMD4(repeating: b.y[m1]),
                                 SIMD4(repeating: b.x[m2]), SIMD4(repeating: b.y[m2]),
                                 SIMD4(repeating: b.x[m3]), SIMD4(repeating: b.y[m3]))[0]
    let logRadii = SIMD4<Float>(log10f(b.t3Radius[innerT3]), log10f(bridge), log10f(b.t3Radius[outerT3]), 0)

    // md1 ... md5: the inner T3's three MDs, then the outer T3's last two.
    let a0 = anchorColumns(b, inner[0]), a1 = anchorColumns(b, inner[1]), a2 = anchorColumns(b, inner[2])
    let a3 = anchorColumns(b, outer[1]), a4 = anchorColumns(b, outer[2])
    let pi = T5Constants.pi, zMax = T5Constants.zMax, rMax = T5Constants.rMax

    // x0-x3: |eta1| / etaNorm, |phi1| / pi, |z1| / zMax, r1 / rMax.
    let scale = SIMD4(T5Constants.etaNorm, pi, zMax, rMax)
    var first = a0
    first[1] = a0[1].magnitude
    let firstInputs = first / scale
    let raw = UnsafeMutableRawPointer(x)
    raw.storeBytes(of: firstInputs, as: SIMD4<Float>.self)
    var finite = firstInputs - firstInputs .== 0

    // x4-x19, anchor k-1 to k for k = 2 ... 5, each step on its own four
    // lanes: d|eta| (not divided: x / 1 is x exactly), deltaPhi / pi (phi
    // lane reduced into [-pi, pi]), d|z| / zMax, dr / rMax.
    let stepScale = SIMD4(1, pi, zMax, rMax)
    let phiLane = SIMD4<Float>(0, 1, 0, 0) .== 1
    @inline(__always) func step(_ k: Int, _ later: SIMD4<Float>, _ earlier: SIMD4<Float>) {
        let difference = later - earlier
        let inputs = difference.replacing(with: reducePhiRange(difference), where: phiLane) / stepScale
        raw.storeBytes(of: inputs, toByteOffset: 4 * k * MemoryLayout<Float>.stride, as: SIMD4<Float>.self)
        finite = finite .& (inputs - inputs .== 0)
    }
    step(1, a1, a0)
    step(2, a2, a1)
    step(3, a3, a2)
    step(4, a4, a3)
    x[20] = logRadii[0]
    x[21] = logRadii[1]
    x[22] = logRadii[2]
    // x - x is 0 for a finite x and NaN for +-inf or NaN.
    return all(finite .& (logRadii - logRadii .== 0))
}

/// (batch, candidate, layers, layer count, widest stride <= t5SingleMaxStride,
/// bias first?, outputs (the last layer's stride)): LST v2 inputs of one
/// candidate, then the float network on them; whether the inputs were finite.
func t5SingleCandidate(_ batch: UnsafePointer<T5BatchRecord>, _ t: Int, _ layers: UnsafePointer<FloatLayerRecord>,
                       _ count: Int, _ maxStride: Int, _ biasFirst: Bool, _ output: UnsafeMutablePointer<Float>) -> Bool {
    // A literal size (64 = t5SingleMaxStride), so the buffer is a fixed
    // stack slot rather than a size checked at run time.
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 32 + 2 * 64) { buffer in
        // The caller keeps to t5SingleMaxStride; a wider network would not
        // fit the buffers, so it gets NaN rather than a write past them.
        guard let input = buffer.baseAddress, maxStride <= t5SingleMaxStride else {
            output[0] = .nan
            return false
        }
        let finite = lstV2Inputs(batch.pointee, t, input)
        runLayers(layers, count, maxStride, input, output, input + 32) { forwardSingle($0, $1, $2, biasFirst) }
        return finite
    }
}
