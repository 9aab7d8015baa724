/// The two generations of T5 DNN inputs (facts/lst_t5_dnn.md section 1).
public enum T5FeatureSet: String, CaseIterable {
    /// cms-sw #46857 onwards: 23 inputs, normalised hit 1, hit-to-hit deltas, log radii.
    case lstV2 = "lst-v2"
    /// TrackLooper 2023 / first CMSSW integration: 38 raw inputs with layers.
    case lstV1 = "lst-v1"

    public var inputCount: Int {
        switch self {
        case .lstV2: return 23
        case .lstV1: return 38
        }
    }

    /// v1 feeds the layer number of every anchor (and picks the T5 eta/phi
    /// anchor by layer); v2 has no layer inputs.
    public var needsLayer: Bool { self == .lstV1 }
}
