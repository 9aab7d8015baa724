/// Constants of the LST T5 DNN as LST holds them: float32, with their source.
/// Inlinable computed values, so the kernels of every module see literals
/// (a stored static of another module is a lazy global: a call per read).
@usableFromInline package enum T5Constants {
    /// pT [GeV] = 2 * k2Rinv1GeVf * R [cm] (3.8 T field): cmssw
    /// RecoTracker/LSTCore/interface/alpaka/Common.h declares
    /// `float k2Rinv1GeVf = (2.99792458e-3 * 3.8) / 2`, the double product
    /// rounded to float once. pT = 5 GeV is R ~ 439 cm.
    @inlinable package static var k2Rinv1GeVf: Float { Float((2.99792458e-3 * 3.8) / 2) }

    /// `kPi = std::numbers::pi_v<float>` (Common.h): pi rounded to nearest,
    /// 3.14159274. Not Swift's `Float.pi`, which is rounded toward zero
    /// (3.14159250) and would move every phi feature by one ulp.
    @inlinable package static var pi: Float { 0x1.921fb6p1 }

    /// lst-v2 normalisations (Common.h, namespace dnn::t5dnn; used in
    /// RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h): the largest |z| and r
    /// of the 4th anchor in the v2 training file.
    @inlinable package static var etaNorm: Float { 2.5 }
    @inlinable package static var zMax: Float { 267.2349854 }
    @inlinable package static var rMax: Float { 110.1099396 }

    /// v1's T5 eta/phi come from the second anchor when the first sits on a
    /// module with `modules.layers() == 1` (`layer2_adjustment`, cmssw
    /// NeuralNetwork.h at 2181e6aa). LST numbers endcap disks 1-5 in that
    /// column too, so in `md_layer` (barrel 1-6, endcap 7-11) both barrel
    /// layer 1 and endcap disk 1 qualify.
    @inlinable package static var firstBarrelLayer: UInt8 { 1 }
    @inlinable package static var firstEndcapDisk: UInt8 { 7 }
}
