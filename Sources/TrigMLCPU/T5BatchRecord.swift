/// A checked `tml_t5_batch` as the feature kernels read it (TrigMLT5's
/// T5Batch has validated every pointer and index of the chain, so the
/// kernels read without bounds checks).
///
/// A labelled tuple rather than a struct: every module builds it in line
/// (a struct's initialiser from another module is a call, and its
/// arguments' stores then feed wide loads, a store-forwarding stall paid on
/// every one-candidate call).
package typealias T5BatchRecord = (
    x: UnsafePointer<Float>, y: UnsafePointer<Float>, z: UnsafePointer<Float>, r: UnsafePointer<Float>,
    eta: UnsafePointer<Float>, phi: UnsafePointer<Float>,
    /// `md_layer`; read only by lst-v1 (then never nil).
    layer: UnsafePointer<UInt8>?,
    t3MD: UnsafePointer<UInt32>, t3Radius: UnsafePointer<Float>, t5T3: UnsafePointer<UInt32>)

/// Which LST generation's inputs a feature kernel computes.
package enum T5FeatureRecipe {
    /// 23 inputs: cmssw RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h at 719e09e3.
    case lstV2
    /// 38 inputs: the same file at 2181e6aa.
    case lstV1
}
