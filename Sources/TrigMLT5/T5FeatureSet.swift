/// The two generations of T5 DNN inputs: v2 in cmssw
/// RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h (cms-sw/cmssw#46857), v1 in
/// TrackLooper SDL/NeuralNetwork.h (first CMSSW integration cms-sw/cmssw#45117).
package enum T5FeatureSet: String, CaseIterable {
    /// cms-sw #46857 onwards: 23 inputs, normalised hit 1, hit-to-hit deltas, log radii.
    case lstV2 = "lst-v2"
    /// TrackLooper 2023 / first CMSSW integration: 38 raw inputs with layers.
    case lstV1 = "lst-v1"

    package var inputCount: Int {
        switch self {
        case .lstV2: return 23
        case .lstV1: return 38
        }
    }

    /// v1 feeds the layer number of every anchor (and picks the T5 eta/phi
    /// anchor by layer); v2 has no layer inputs.
    package var needsLayer: Bool { self == .lstV1 }
}
