import TrigMLCore
import TrigMLForest

// Forest entry points: argument checks and handles only; loading, checking
// and evaluation are in TrigMLForest. A `tml_forest *` is a `Forest`, and
// only that: the LUT calls ask it for its LUT form (TrigMLLUT's
// `Forest.lutForm()`), made once, on first use, so a host that only
// predicts never pays for it.

@_cdecl("tml_forest_load")
public func tml_forest_load(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    loadHandle("tml_forest_load", path, "path", out) { try Forest.load(path: $0) }
}

@_cdecl("tml_forest_free")
public func tml_forest_free(_ forest: OpaquePointer?) { release(forest) }

@_cdecl("tml_forest_feature_count")
public func tml_forest_feature_count(_ forest: OpaquePointer?) -> Int32 {
    countOf(forest, as: Forest.self, "forest") { $0.featureCount }
}

@_cdecl("tml_forest_tree_count")
public func tml_forest_tree_count(_ forest: OpaquePointer?) -> Int32 {
    countOf(forest, as: Forest.self, "forest") { $0.treeCount }
}

@_cdecl("tml_forest_predict")
public func tml_forest_predict(_ forest: OpaquePointer?, _ nRows: UInt64, _ x: UnsafePointer<Float>?,
                               _ rowStride: UInt64, _ featureStride: UInt64,
                               _ out: UnsafeMutablePointer<Float>?) -> Int32 {
    guarded("tml_forest_predict") {
        let f = try object(forest, as: Forest.self, "forest")
        let shape = try PredictShape(rows: nRows, rowStride: rowStride, featureStride: featureStride,
                                     featureCount: f.featureCount)
        if shape.rows == 0 { return }
        guard let x else { throw TMLError.invalid("x is NULL but n_rows = \(nRows)") }
        guard let out else { throw TMLError.invalid("out is NULL but n_rows = \(nRows)") }
        try f.predict(rows: shape.rows, x: x, rowStride: shape.rowStride, featureStride: shape.featureStride, out: out)
    }
}
