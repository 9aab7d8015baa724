#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TrigMLCore

/// The pthread key, made once with pthread_once rather than a lazy Swift
/// global: swift_once lives in the static (uninstrumented) runtime, so
/// ThreadSanitizer cannot see its ordering and reported the first
/// concurrent failing calls as a race; pthread_once it understands.
nonisolated(unsafe) private var lastErrorKey = pthread_key_t()
nonisolated(unsafe) private var lastErrorKeyOnce = pthread_once_t()

/// `tml_last_error()` storage: one malloc'ed C string per thread, kept in a
/// pthread key whose destructor frees it when the thread ends. No locks:
/// each thread only touches its own slot.
enum LastError {
    static var key: pthread_key_t {
        pthread_once(&lastErrorKeyOnce) {
            pthread_key_create(&lastErrorKey) { free($0) }
        }
        return lastErrorKey
    }

    static let empty: StaticString = ""

    static func set(_ message: String) {
        let copy = strdup(message)
        if let old = pthread_getspecific(key) { free(old) }
        pthread_setspecific(key, copy)
    }

    static var current: UnsafePointer<CChar> {
        if let p = pthread_getspecific(key) { return UnsafePointer(p.assumingMemoryBound(to: CChar.self)) }
        return UnsafeRawPointer(empty.utf8Start).assumingMemoryBound(to: CChar.self)
    }
}

/// Runs the body of an entry point: a thrown `TMLError` becomes its status
/// and the thread's last error. Nothing else can escape: every entry point
/// returns a status.
@inline(__always)
func guarded(_ function: StaticString, _ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return 0
    } catch let error as TMLError {
        LastError.set("\(function): \(error.message)")
        return error.code.rawValue
    } catch {
        LastError.set("\(function): internal error: \(error)")
        return TMLError.Code.internalError.rawValue
    }
}

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
