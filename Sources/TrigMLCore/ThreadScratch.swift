/// Per-thread scratch memory for the hot calls: one malloc'ed block per
/// thread, grown when a call needs more and kept for the thread's life, so
/// a call allocates nothing after the first on its thread (a T5 call of
/// one candidate must not pay for malloc and free; Swift's temporary
/// allocations move to the heap above 1 KiB). Growth goes through malloc and
/// reports failure, so a memory limit gives TML_ERR_OUT_OF_MEMORY, never a
/// trap. The block is freed when the thread exits (the key's destructor).
///
/// One user at a time per thread: library calls do not nest, and a call
/// takes the block once, at its start.
package enum ThreadScratch {
    /// At least `bytes` of 64-byte-aligned memory, valid until the calling
    /// thread's next `memory` call. Contents are unspecified.
    @inline(__always)
    package static func memory(bytes: Int, for what: @autoclosure () -> String) throws -> UnsafeMutableRawPointer {
        if let block = pthread_getspecific(scratchKey.key) {
            let header = block.assumingMemoryBound(to: Int.self)
            if header.pointee >= bytes { return block + headerBytes }
        }
        return try grow(bytes, what())
    }

    /// Room for the capacity, keeping the data 64-byte aligned.
    static let headerBytes = 64

    static func grow(_ bytes: Int, _ what: String) throws -> UnsafeMutableRawPointer {
        // Grow by at least half again, so a thread that sees rising batch
        // widths settles after a few calls.
        let old = pthread_getspecific(scratchKey.key).map { $0.assumingMemoryBound(to: Int.self).pointee } ?? 0
        let capacity = max(bytes, old + old / 2, 4096)
        let total = MemoryPreflight.bytes(capacity, 1, plus: headerBytes)
        var fresh: UnsafeMutableRawPointer?
        guard total != Int.max, posix_memalign(&fresh, 64, total) == 0, let fresh else {
            throw MemoryPreflight.outOfMemory("per-thread scratch for \(what)", bytes: total)
        }
        free(pthread_getspecific(scratchKey.key))
        fresh.assumingMemoryBound(to: Int.self).pointee = capacity
        pthread_setspecific(scratchKey.key, fresh)
        return fresh + headerBytes
    }
}

/// The thread-specific key, created once; its destructor frees a thread's block.
private final class ScratchKey: @unchecked Sendable {
    var key = pthread_key_t()
    init() { pthread_key_create(&key) { free($0) } }
}

private let scratchKey = ScratchKey()
