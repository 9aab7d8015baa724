// The platform C library, imported once for the whole package: every other
// file gets `fopen`, `pthread_*`, `log`, ... by `import TrigMLCore`. The
// library uses no Foundation (it must load into any C/C++ host with only
// the C runtime), so these are its only system calls.
#if canImport(Glibc)
@_exported import Glibc
#elseif canImport(Musl)
@_exported import Musl
#elseif canImport(Darwin)
@_exported import Darwin
#endif

/// A pthread mutex with a stable address (a Swift stored property may move,
/// a mutex must not). ThreadSanitizer understands pthread mutexes, so the
/// orderings it creates are visible to `fuzz/run_tsan.sh`.
package final class Mutex: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    package init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` holding the lock.
    package func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// A value made at most once, by the first caller that needs it, and shared
/// by all later callers on any thread. The lock is held while the value is
/// made, so concurrent first callers wait for the one that makes it rather
/// than each making their own.
package final class OnceSlot<Value>: @unchecked Sendable {
    private let mutex = Mutex()
    private var value: Value?

    package init() {}

    package func value(_ make: () -> Value) -> Value {
        mutex.locked {
            if let value { return value }
            let made = make()
            value = made
            return made
        }
    }

    /// As `value`, except that a `make` that throws stores nothing and the
    /// next caller tries again: for failures that may pass, such as memory
    /// that is short now (`MemoryPreflight`).
    package func valueOrRetry(_ make: () throws -> Value) throws -> Value {
        try mutex.locked {
            if let value { return value }
            let made = try make()
            value = made
            return made
        }
    }
}
