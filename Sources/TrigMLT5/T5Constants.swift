/// Constants of the LST T5 DNN, with their source.
package enum T5Constants {
    /// pT [GeV] = 2 * k2Rinv1GeVf * R [cm]: k2Rinv1GeVf = (2.99792458e-3 * 3.8) / 2
    /// (RecoTracker/LSTCore, 3.8 T field). pT = 5 GeV is R ~ 439 cm.
    package static let k2Rinv1GeVf: Double = (2.99792458e-3 * 3.8) / 2

    /// lst-v2 normalisations (RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h):
    /// the largest |z| and r of the 4th anchor in the v2 training file.
    package static let etaNorm: Double = 2.5
    package static let zMax: Double = 267.2349854
    package static let rMax: Double = 110.1099396

    /// Barrel layer 1: v1's T5 eta/phi come from the second anchor when the
    /// first sits on it (`layer2_adjustment`, TrackLooper SDL/NeuralNetwork.h).
    package static let firstBarrelLayer: UInt8 = 1
}

