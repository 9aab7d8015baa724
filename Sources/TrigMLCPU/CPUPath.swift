import CTrigMLCPUID
import TrigMLCore

/// The kernel paths: the same kernel sources compiled for successive x86-64
/// levels (Package.swift). Every path gives the same bits (no fused
/// multiply-add, the same operations in the same order per lane), so the
/// choice is about speed only.
package enum CPUPath: String, CaseIterable {
    case baseline
    case avx2
    case avx512

    /// The paths this CPU and its OS can run, from cpuid and XCR0
    /// (Sources/CTrigMLCPUID/cpuid.c), slowest first. Asked each time (a few
    /// cpuid instructions): the selection below keeps the answer.
    package static var supported: [CPUPath] {
        let flags = trigml_cpu_paths()
        var paths: [CPUPath] = [.baseline]
        if flags & UInt32(TRIGML_CPU_AVX2) != 0 { paths.append(.avx2) }
        if flags & UInt32(TRIGML_CPU_AVX512) != 0 { paths.append(.avx512) }
        return paths
    }
}

/// The path chosen once, at the first call that needs one: the fastest path
/// the CPU supports, or the one `TRIGML_ISA` names. A value of `TRIGML_ISA`
/// that is not a path, or names a path this CPU cannot run, is refused
/// rather than replaced: a job that asked for a path to reproduce a result
/// must not run another one. Then `path` is nil, `refusal` says why, and
/// every entry point fails with that message (Sources/TrigML/LastError.swift).
package struct CPUSelection {
    package let path: CPUPath?
    package let refusal: String?

    /// The selection for a `TRIGML_ISA` value (nil or empty: unset).
    package static func choose(requested: String?, supported: [CPUPath]) -> CPUSelection {
        let fastest = supported.last ?? .baseline
        guard let requested, !requested.isEmpty else { return CPUSelection(path: fastest, refusal: nil) }
        let names = supported.map(\.rawValue).joined(separator: ", ")
        guard let path = CPUPath(rawValue: requested) else {
            let all = CPUPath.allCases.map(\.rawValue)
            let hint = nearestName(to: requested, among: all).map { " (did you mean '\($0)'?)" } ?? ""
            return CPUSelection(path: nil, refusal: "TRIGML_ISA = '\(requested)' is not a kernel path\(hint); "
                + "the paths are \(all.joined(separator: ", ")), and this CPU runs \(names)")
        }
        guard supported.contains(path) else {
            return CPUSelection(path: nil, refusal: "TRIGML_ISA = '\(requested)': this CPU cannot run that "
                + "path; it runs \(names)")
        }
        return CPUSelection(path: path, refusal: nil)
    }

    /// This process's selection, from the environment, made once. pthread_once
    /// rather than a lazy Swift global, for ThreadSanitizer (LastError.swift).
    package static var current: CPUSelection {
        pthread_once(&selectionOnce) {
            let requested = getenv("TRIGML_ISA").map { String(cString: $0) }
            selectionValue = CPUSelection.choose(requested: requested, supported: CPUPath.supported)
        }
        return selectionValue ?? CPUSelection(path: .baseline, refusal: nil)
    }
}

nonisolated(unsafe) private var selectionOnce = pthread_once_t()
nonisolated(unsafe) private var selectionValue: CPUSelection?
