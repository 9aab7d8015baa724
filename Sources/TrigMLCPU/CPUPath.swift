import TrigMLCore

/// The kernel paths: the same kernel sources compiled for successive x86-64
/// levels (Package.swift). Every path gives the same bits (no fused
/// multiply-add, the same operations in the same order per lane), so the
/// choice is about speed only.
package enum CPUPath: String, CaseIterable {
    case baseline
    case avx2
    case avx512

    /// The paths this CPU and its OS can run, slowest first: from the
    /// `flags` line of /proc/cpuinfo on Linux (baseline elsewhere). Linux
    /// lists AVX, AVX2 and AVX-512 only when it also saves their registers
    /// on a context switch (it clears them when XSAVE or the XCR0 state
    /// components are missing: linux arch/x86/kernel/cpu/cpuid-deps.c and
    /// arch/x86/kernel/fpu/xstate.c), which is the OS-support check AVX
    /// needs. A C target with cpuid would break `swift build` under CC=gcc
    /// (SwiftPM passes clang flags to $CC). Read each time (one small read):
    /// the selection below keeps the answer.
    package static var supported: [CPUPath] {
        var paths: [CPUPath] = [.baseline]
#if arch(x86_64)
        let flags = Set(cpuFlags().map(String.init))
        // Everything `-target-cpu haswell` may emit (Package.swift).
        let haswell = ["sse4_2", "popcnt", "avx", "avx2", "fma", "bmi1", "bmi2", "abm", "movbe", "f16c"]
        // Everything `-target-cpu skylake-avx512` may emit beyond that.
        let skylakeAVX512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        if haswell.allSatisfy(flags.contains) {
            paths.append(.avx2)
            if skylakeAVX512.allSatisfy(flags.contains) { paths.append(.avx512) }
        }
#endif
        return paths
    }

    /// The words of the first `flags` line of /proc/cpuinfo; empty when it
    /// cannot be read.
    static func cpuFlags() -> [Substring] {
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 1 << 16)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(cString: line)
            guard text.hasPrefix("flags"), let colon = text.firstIndex(of: ":") else { continue }
            return text[text.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        }
        return []
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
