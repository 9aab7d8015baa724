/// A checked `tml_t5_batch` as the feature kernels read it (TrigMLT5's
/// T5Batch has validated every pointer and index of the chain, so the
/// kernels read without bounds checks).
package struct T5BatchRecord {
    package var x, y, z, r, eta, phi: UnsafePointer<Float>
    /// `md_layer`; read only by lst-v1 (then never nil).
    package var layer: UnsafePointer<UInt8>?
    package var t3MD: UnsafePointer<UInt32>
    package var t3Radius: UnsafePointer<Float>
    package var t5T3: UnsafePointer<UInt32>

    package init(x: UnsafePointer<Float>, y: UnsafePointer<Float>, z: UnsafePointer<Float>, r: UnsafePointer<Float>,
                 eta: UnsafePointer<Float>, phi: UnsafePointer<Float>, layer: UnsafePointer<UInt8>?,
                 t3MD: UnsafePointer<UInt32>, t3Radius: UnsafePointer<Float>, t5T3: UnsafePointer<UInt32>) {
        (self.x, self.y, self.z, self.r, self.eta, self.phi) = (x, y, z, r, eta, phi)
        (self.layer, self.t3MD, self.t3Radius, self.t5T3) = (layer, t3MD, t3Radius, t5T3)
    }
}

/// Which LST generation's inputs a feature kernel computes.
package enum T5FeatureRecipe {
    /// 23 inputs: cmssw RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h at 719e09e3.
    case lstV2
    /// 38 inputs: the same file at 2181e6aa.
    case lstV1
}
