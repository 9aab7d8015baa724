import TrigMLCore

// Opaque C handles: each is a retained Swift object, checked to be of the
// expected kind whenever it comes back.
//
// The load / free / count entry points of the five handle kinds
// (T5ABI, ForestABI, LutABI, TaggerABI, DecorrelationABI) look alike on
// purpose: every C symbol needs its own one-line @_cdecl function, and the
// logic they share is here, once.

/// The common shape of every entry point that makes a handle from a string
/// (a path or a preset name): `*out` is NULL on any failure, a NULL string
/// is an error naming the argument, and the object is retained behind the
/// new handle.
func loadHandle(_ function: StaticString, _ string: UnsafePointer<CChar>?, _ argument: String,
                _ out: UnsafeMutablePointer<OpaquePointer?>?, _ make: (String) throws -> AnyObject) -> Int32 {
    guarded(function) {
        guard let out else { throw TMLError.invalid("out is NULL") }
        out.pointee = nil
        guard let string else { throw TMLError.invalid("\(argument) is NULL") }
        out.pointee = makeHandle(try make(String(cString: string)))
    }
}

/// Retains a Swift object behind an opaque C handle.
func makeHandle(_ object: AnyObject) -> OpaquePointer {
    OpaquePointer(Unmanaged.passRetained(object).toOpaque())
}

/// The object behind a handle, checked to be of the expected kind: a forest
/// handle passed where a T5 model is expected is an error, not a crash.
func object<T: AnyObject>(_ handle: OpaquePointer?, as type: T.Type, _ what: String) throws -> T {
    guard let handle else { throw TMLError.invalid("\(what) handle is NULL") }
    let any = Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
    guard let typed = any as? T else { throw TMLError.invalid("\(what) handle is a \(Swift.type(of: any)), not a \(T.self)") }
    return typed
}

func release(_ handle: OpaquePointer?) {
    guard let handle else { return }
    Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(handle)).release()
}

/// The `*_count` getters: -1 for a NULL or wrong handle (they have no status
/// to return), else the count.
func countOf<T: AnyObject>(_ handle: OpaquePointer?, as type: T.Type, _ what: String, _ count: (T) -> Int) -> Int32 {
    guard let typed = try? object(handle, as: type, what) else { return -1 }
    return Int32(clamping: count(typed))
}

/// A required input array: non-NULL unless it is empty.
@inline(__always)
func input<T>(_ pointer: UnsafePointer<T>?, _ name: String, count: Int) throws -> UnsafePointer<T>? {
    if pointer == nil && count > 0 { throw TMLError.invalid("\(name) is NULL but n = \(count)") }
    return pointer
}
