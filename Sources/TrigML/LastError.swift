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
///
/// When memory has run out the message itself may not fit: `set` then
/// stores `fallback`, a static string that is never freed, so a failing
/// out-of-memory path needs no allocation beyond the message Swift has
/// already built.
enum LastError {
    static var key: pthread_key_t {
        pthread_once(&lastErrorKeyOnce) {
            pthread_key_create(&lastErrorKey) { message in
                if let message, message != LastError.fallbackPointer { free(message) }
            }
        }
        return lastErrorKey
    }

    static let empty: StaticString = ""
    static let fallback: StaticString = "out of memory (the error message itself could not be stored)"
    static var fallbackPointer: UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(mutating: UnsafeRawPointer(fallback.utf8Start))
    }

    static func set(_ message: String) {
        let copy = strdup(message).map { UnsafeMutableRawPointer($0) } ?? fallbackPointer
        store(copy)
    }

    /// Stores "function: message" with one malloc and no Swift string
    /// building, so that the `.outOfMemory` path allocates no more than it
    /// must.
    static func set(_ function: StaticString, _ message: String) {
        let prefixLength = function.utf8CodeUnitCount
        let copy: UnsafeMutableRawPointer = message.withCString { text in
            let textLength = strlen(text)
            guard let buffer = malloc(prefixLength + 2 + textLength + 1) else { return fallbackPointer }
            memcpy(buffer, function.utf8Start, prefixLength)
            memcpy(buffer + prefixLength, ": ", 2)
            memcpy(buffer + prefixLength + 2, text, textLength + 1)
            return buffer
        }
        store(copy)
    }

    private static func store(_ message: UnsafeMutableRawPointer) {
        if let old = pthread_getspecific(key), old != fallbackPointer { free(old) }
        pthread_setspecific(key, message)
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
        LastError.set(function, error.message)
        return error.code.rawValue
    } catch {
        LastError.set("\(function): internal error: \(error)")
        return TMLError.Code.internalError.rawValue
    }
}
