import CTrigML

/// Semantic version of the library (the C ABI version is separate).
let libraryVersion: StaticString = "0.1.0"

@_cdecl("tml_abi_version")
public func tml_abi_version() -> UInt32 { UInt32(TML_ABI_VERSION) }

@_cdecl("tml_version")
public func tml_version() -> UnsafePointer<CChar> {
    UnsafeRawPointer(libraryVersion.utf8Start).assumingMemoryBound(to: CChar.self)
}

@_cdecl("tml_last_error")
public func tml_last_error() -> UnsafePointer<CChar> { LastError.current }
