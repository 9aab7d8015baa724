import TrigMLCore
import TrigMLCPU
import TrigMLCPUAVX2
import TrigMLCPUAVX512
import TrigMLCPUBaseline

/// The kernel table of the selected path (CPUSelection): chosen once, then
/// one load per call. When TRIGML_ISA was refused the entry points fail
/// before any kernel runs (Sources/TrigML/LastError.swift); the baseline
/// table stands in for code that runs without the ABI (tests).
package enum KernelDispatch {
    package static var active: KernelTable {
        pthread_once(&activeOnce) {
            activeTable = KernelDispatch.table(for: CPUSelection.current.path ?? .baseline)
        }
        return activeTable ?? table(for: .baseline)
    }

    /// The table of `path` (whether or not this CPU can run it).
    package static func table(for path: CPUPath) -> KernelTable {
        switch path {
        case .baseline: return TrigMLCPUBaseline.PathKernels.table(.baseline)
        case .avx2: return TrigMLCPUAVX2.PathKernels.table(.avx2)
        case .avx512: return TrigMLCPUAVX512.PathKernels.table(.avx512)
        }
    }

    /// The tables of every path this CPU runs, slowest first (parity tests).
    package static var supportedTables: [KernelTable] { CPUPath.supported.map(table(for:)) }
}

nonisolated(unsafe) private var activeOnce = pthread_once_t()
nonisolated(unsafe) private var activeTable: KernelTable?
