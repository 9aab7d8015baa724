/// Working memory of the hot calls (a T5 call's tiles, a forest's packed
/// block, the tagger's layer rows): one buffer per thread, kept between
/// calls, so a call neither allocates nor frees once its thread has made a
/// buffer of the size it needs (Swift's temporary allocations move to the
/// heap above 1 KiB, and a T5 call for one candidate must not pay for malloc
/// and free). Several threads may score with one model at once (handles are
/// shared freely): each uses its own buffer, so nothing is shared and nothing
/// depends on who called before. The buffer is freed by the key's destructor
/// when the thread ends (the library stays mapped, `-z nodelete`).
///
/// A buffer larger than `keptBytes` is not kept (a huge forest block must
/// not stay resident in every thread that ever called); a nested use on the
/// same thread gets its own temporary buffer. Memory that cannot be had is
/// `.outOfMemory` naming what it was for, never a trap.
package enum ThreadScratch {
    /// Largest buffer kept between calls.
    package static let keptBytes = 1 << 20
    /// Alignment of every buffer (a cache line; one AVX-512 vector).
    package static let alignment = 64

    /// Per thread: the kept buffer and whether a call is using it.
    private struct Slot {
        var base: UnsafeMutableRawPointer?
        var capacity: Int
        var inUse: Bool
    }

    private static var key: pthread_key_t {
        pthread_once(&scratchKeyOnce) {
            pthread_key_create(&scratchKey) { raw in
                guard let raw else { return }
                let slot = raw.assumingMemoryBound(to: Slot.self)
                free(slot.pointee.base)
                free(raw)
            }
        }
        return scratchKey
    }

    /// Runs `body` with `bytes` bytes (64-byte aligned, contents undefined)
    /// that no other thread touches and that stay valid until it returns.
    /// Throws `.outOfMemory` (before `body` runs) when they cannot be had.
    @inline(__always)
    package static func with<R>(bytes: Int, for what: @autoclosure () -> String,
                                _ body: (UnsafeMutableRawPointer) throws -> R) throws -> R {
        let size = max(bytes, alignment)
        if let slot = threadSlot(), !slot.pointee.inUse, size <= keptBytes {
            if slot.pointee.capacity < size, let grown = alignedAllocation(size) {
                free(slot.pointee.base)
                slot.pointee.base = grown
                slot.pointee.capacity = size
            }
            if let base = slot.pointee.base, slot.pointee.capacity >= size {
                slot.pointee.inUse = true
                defer { slot.pointee.inUse = false }
                return try body(base)
            }
        }
        // Too large to keep, nested, or no slot: a buffer for this call only.
        guard let temporary = alignedAllocation(size) else {
            throw MemoryPreflight.outOfMemory("working memory for \(what())", bytes: size)
        }
        defer { free(temporary) }
        return try body(temporary)
    }

    /// This thread's slot, made on its first use; nil when even that
    /// small allocation fails.
    @inline(__always)
    private static func threadSlot() -> UnsafeMutablePointer<Slot>? {
        let k = key
        if let raw = pthread_getspecific(k) { return raw.assumingMemoryBound(to: Slot.self) }
        guard let raw = malloc(MemoryLayout<Slot>.stride) else { return nil }
        let slot = raw.bindMemory(to: Slot.self, capacity: 1)
        slot.initialize(to: Slot(base: nil, capacity: 0, inUse: false))
        pthread_setspecific(k, raw)
        return slot
    }

    private static func alignedAllocation(_ size: Int) -> UnsafeMutableRawPointer? {
        guard size < Int.max - alignment else { return nil }
        var pointer: UnsafeMutableRawPointer?
        return posix_memalign(&pointer, alignment, size) == 0 ? pointer : nil
    }
}

/// The key, made once with pthread_once (as Sources/TrigML/LastError.swift
/// does, so ThreadSanitizer sees the ordering).
nonisolated(unsafe) private var scratchKey = pthread_key_t()
nonisolated(unsafe) private var scratchKeyOnce = pthread_once_t()
