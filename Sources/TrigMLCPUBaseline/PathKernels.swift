import TrigMLCPU

// This directory is compiled once per kernel path: as TrigMLCPUBaseline, and
// through the symlinks of Sources/TrigMLCPUAVX2 and Sources/TrigMLCPUAVX512
// with a higher -target-cpu (Package.swift). Nothing here may depend on the
// path it is compiled for: same operations, same order, no fused
// multiply-add, so every path gives the same bits.

/// This module's kernels as a table (TrigMLKernels/KernelDispatch.swift).
package enum PathKernels {
    package static func table(_ path: CPUPath) -> KernelTable {
        // The 16-lane forest kernels where a 16-lane vector is one register
        // (ForestTrees.swift); the sets and sums are the same on every path.
        let wideForest = path == .avx512
        // The tagger's rows in the path's widest vector of doubles (DoubleRows.swift).
        let rows: KernelTable.DoubleRows = path == .avx512 ? doubleRows8 : (path == .avx2 ? doubleRows4 : doubleRows2)
        return KernelTable(path: path, floatNetwork: floatNetwork, floatSingleNetwork: floatSingleNetwork,
                           t5Features: t5Features, t5SingleCandidate: t5SingleCandidate, doubleNetwork: doubleNetwork, doubleRows: rows,
                           forestSum32: forestSum(wide: wideForest), forestSum64: forestSum(wide: wideForest),
                           maskLeafSets: wideForest ? maskLeafSets16 : maskLeafSets)
    }
}

/// Runs `count` layers, ping-ponging through `scratch` (2 x `maxWidth`
/// vectors), the last one into `output`.
@inline(__always)
func runLayers<Layer, Tile>(_ layers: UnsafePointer<Layer>, _ count: Int, _ maxWidth: Int,
                            _ input: UnsafePointer<Tile>, _ output: UnsafeMutablePointer<Tile>,
                            _ scratch: UnsafeMutablePointer<Tile>,
                            _ forward: (Layer, UnsafePointer<Tile>, UnsafeMutablePointer<Tile>) -> Void) {
    var source = input
    let ping = scratch, pong = scratch + maxWidth
    for index in 0..<count {
        let destination = index == count - 1 ? output : (index % 2 == 0 ? ping : pong)
        forward(layers[index], source, destination)
        source = UnsafePointer(destination)
    }
}
