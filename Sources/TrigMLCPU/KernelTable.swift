/// The kernels one path provides, as plain functions over the records of
/// KernelRecords.swift; TrigMLKernels holds the active table
/// (KernelDispatch.swift). One indirect call per tile or block, never per
/// element. A class, so handing the table around is one reference, not a
/// copy of every kernel.
package final class KernelTable: @unchecked Sendable {
    /// (layers, layer count, widest layer, input tile, output tile, scratch
    /// of 2 x widest, bias first?): the float network in LST's order on a
    /// tile of candidates, one per lane.
    package typealias FloatNetwork = (UnsafePointer<FloatLayerRecord>, Int, Int, UnsafePointer<FloatTile>,
                                      UnsafeMutablePointer<FloatTile>, UnsafeMutablePointer<FloatTile>, Bool) -> Void
    /// (layers, layer count, widest stride, input floats, output floats (the
    /// last layer's stride), scratch of 2 x widest stride floats, bias
    /// first?): the same network for ONE candidate, its outputs on the lanes
    /// (LST's own loop shape), for batches too small to fill a tile.
    package typealias FloatSingleNetwork = (UnsafePointer<FloatLayerRecord>, Int, Int, UnsafePointer<Float>,
                                            UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Bool) -> Void
    /// (batch, first candidate, candidates (1-16), recipe, tile out): the T5
    /// features of a tile, one candidate per lane.
    package typealias T5Features = (UnsafePointer<T5BatchRecord>, Int, Int, T5FeatureRecipe,
                                    UnsafeMutablePointer<FloatTile>) -> Void
    /// (batch, candidate, layers, layer count, widest stride (at most
    /// t5SingleMaxStride), bias first?, outputs): one candidate's LST v2
    /// inputs and network outputs in one call; whether its inputs were finite.
    package typealias T5SingleCandidate = (UnsafePointer<T5BatchRecord>, Int, UnsafePointer<FloatLayerRecord>, Int, Int,
                                           Bool, UnsafeMutablePointer<Float>) -> Bool
    /// (layers, layer count, widest layer, input, output, scratch): the double network.
    package typealias DoubleNetwork = (UnsafePointer<DenseLayerView>, Int, Int, UnsafePointer<DoubleTile>,
                                       UnsafeMutablePointer<DoubleTile>, UnsafeMutablePointer<DoubleTile>) -> Void
    /// (layers, layer count, widest layer, input rows, output rows, scratch
    /// of 2 x widest rows, lanes, stride): the double network over rows of
    /// lanes `stride` doubles apart (a multiple of 8).
    package typealias DoubleRows = (UnsafePointer<DenseLayerView>, Int, Int, UnsafePointer<Double>,
                                    UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, Int, Int) -> Void
    /// (records, leaves of mask trees, leaves of walk trees, accumulators,
    /// rows, packed block, 64 words of leaf-set scratch): every tree's leaf
    /// added in tree order.
    package typealias ForestSum<A> = (ForestRecords, UnsafePointer<A>, UnsafePointer<A>, UnsafeMutablePointer<A>,
                                      Int, UnsafePointer<Float>, UnsafeMutablePointer<UInt32>) -> Void
    /// (nodes, count, packed block, first row, 64 leaf sets out).
    package typealias MaskLeafSets = (UnsafePointer<MaskNode>, Int, UnsafePointer<Float>, Int,
                                      UnsafeMutablePointer<UInt32>) -> Void

    package let path: CPUPath
    package let floatNetwork: FloatNetwork
    package let floatSingleNetwork: FloatSingleNetwork
    package let t5Features: T5Features
    package let t5SingleCandidate: T5SingleCandidate
    package let doubleNetwork: DoubleNetwork
    package let doubleRows: DoubleRows
    package let forestSum32: ForestSum<Float>
    package let forestSum64: ForestSum<Double>
    package let maskLeafSets: MaskLeafSets

    package init(path: CPUPath, floatNetwork: @escaping FloatNetwork,
                 floatSingleNetwork: @escaping FloatSingleNetwork, t5Features: @escaping T5Features,
                 t5SingleCandidate: @escaping T5SingleCandidate,
                 doubleNetwork: @escaping DoubleNetwork, doubleRows: @escaping DoubleRows,
                 forestSum32: @escaping ForestSum<Float>, forestSum64: @escaping ForestSum<Double>,
                 maskLeafSets: @escaping MaskLeafSets) {
        self.path = path
        self.floatNetwork = floatNetwork
        self.floatSingleNetwork = floatSingleNetwork
        self.t5Features = t5Features
        self.t5SingleCandidate = t5SingleCandidate
        self.doubleNetwork = doubleNetwork
        self.doubleRows = doubleRows
        self.forestSum32 = forestSum32
        self.forestSum64 = forestSum64
        self.maskLeafSets = maskLeafSets
    }
}

/// The widest padded layer `KernelTable.t5SingleCandidate` takes: its
/// buffers (inputs and two layers, 640 bytes) must stay under the 1 KiB up to
/// which `withUnsafeTemporaryAllocation` uses the stack (above it the heap,
/// whose failure would trap). Wider networks go through the tile path.
@inlinable package var t5SingleMaxStride: Int { 64 }
