import TrigMLCore
import TrigMLForest
import TrigMLLUT

// Forest entry points: argument checks and handles only; loading, checking
// and evaluation are in TrigMLForest.

/// What a `tml_forest *` points at: the forest, and its LUT form
/// (`LUTForest`: leaves in exact fixed point, trees as flat arrays) built
/// once at load, so every `tml_lut_generate` / `tml_lut_evaluate` call,
/// however small its range, starts at once. A forest the LUT rule cannot
/// take (a non-finite leaf) still loads and predicts; the LUT calls report
/// the stored error. Immutable, so shared freely between threads.
final class ForestHandle: @unchecked Sendable {
    let forest: Forest
    let lutForest: Result<LUTForest, Error>

    init(_ forest: Forest) {
        self.forest = forest
        self.lutForest = Result { try LUTForest(forest) }
    }
}

/// The forest behind a handle (checked to be a forest handle).
func forestObject(_ handle: OpaquePointer?) throws -> ForestHandle {
    try object(handle, as: ForestHandle.self, "forest")
}

@_cdecl("tml_forest_load")
public func tml_forest_load(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    loadHandle("tml_forest_load", path, "path", out) { ForestHandle(try Forest.load(path: $0)) }
}

@_cdecl("tml_forest_free")
public func tml_forest_free(_ forest: OpaquePointer?) { release(forest) }

@_cdecl("tml_forest_feature_count")
public func tml_forest_feature_count(_ forest: OpaquePointer?) -> Int32 {
    guard let f = try? forestObject(forest).forest else { return -1 }
    return Int32(clamping: f.featureCount)
}

@_cdecl("tml_forest_tree_count")
public func tml_forest_tree_count(_ forest: OpaquePointer?) -> Int32 {
    guard let f = try? forestObject(forest).forest else { return -1 }
    return Int32(clamping: f.treeCount)
}

@_cdecl("tml_forest_predict")
public func tml_forest_predict(_ forest: OpaquePointer?, _ nRows: UInt64, _ x: UnsafePointer<Float>?,
                               _ rowStride: UInt64, _ featureStride: UInt64,
                               _ out: UnsafeMutablePointer<Float>?) -> Int32 {
    guarded("tml_forest_predict") {
        let f = try forestObject(forest).forest
        let shape = try PredictShape(rows: nRows, rowStride: rowStride, featureStride: featureStride,
                                     featureCount: f.featureCount)
        if shape.rows == 0 { return }
        guard let x else { throw TMLError.invalid("x is NULL but n_rows = \(nRows)") }
        guard let out else { throw TMLError.invalid("out is NULL but n_rows = \(nRows)") }
        f.predict(rows: shape.rows, x: x, rowStride: shape.rowStride, featureStride: shape.featureStride, out: out)
    }
}
