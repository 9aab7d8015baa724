import TrigMLCPU
import TrigMLKernels

/// Feature computation: the kernels of the active path
/// (Sources/TrigMLCPUBaseline/T5FeatureTile.swift, LST's float operations in
/// LST's order) on a tile of `floatLaneWidth` candidates.

/// One candidate's values of one quantity on every lane of a tile (tests
/// and tools build lanes of this type for the geometry functions).
typealias LaneFloats = FloatLanes

extension T5FeatureSet {
    var recipe: T5FeatureRecipe {
        switch self {
        case .lstV2: return .lstV2
        case .lstV1: return .lstV1
        }
    }
}

extension T5Batch {
    /// Features of candidates `first ..< first + lanes` (lanes <= floatLaneWidth)
    /// into `tile` (`inputCount` lane vectors: tile[feature][lane]). Lanes
    /// past `lanes` hold candidate `first`'s values (real numbers; their
    /// results are discarded).
    @inline(__always)
    func tileFeatures(first: Int, lanes: Int, set: T5FeatureSet, into tile: UnsafeMutablePointer<FloatLanes>,
                      kernels: KernelTable) {
        withUnsafePointer(to: record) { kernels.t5Features($0, first, lanes, set.recipe, tile) }
    }
}
