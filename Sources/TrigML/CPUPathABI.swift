import TrigMLCPU

/// `tml_cpu_path`: the name of the selected kernel path, NULL when
/// TRIGML_ISA was refused (trigml.h, "CPU path").
@_cdecl("tml_cpu_path")
public func tml_cpu_path() -> UnsafePointer<CChar>? {
    guard let path = CPUSelection.current.path else { return nil }
    let name: StaticString
    switch path {
    case .baseline: name = "baseline"
    case .avx2: name = "avx2"
    case .avx512: name = "avx512"
    }
    return UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
}
