import TrigMLCore
import TrigMLCPU

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
        if let refusal = CPUSelection.current.refusal { throw TMLError.invalid(refusal) }
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
