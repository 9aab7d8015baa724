/// Memory that may not be there. Swift's own allocations (arrays, strings,
/// `UnsafeMutablePointer.allocate`) end the process when malloc fails; a
/// library loaded into a CMSSW job or a batch job under `RLIMIT_AS` must
/// instead return `TML_ERR_OUT_OF_MEMORY`. Two tools, used together
/// (ARCHITECTURE.md, "Memory"):
///
/// - `CheckedBuffer`: a malloc'ed buffer whose init throws `.outOfMemory`
///   naming what it was for and how many bytes, for every large buffer whose
///   size depends on the input;
/// - `MemoryPreflight.require`: before an entry point starts work whose
///   Swift arrays together need about N bytes, it maps N bytes of address
///   space and unmaps them again. When that fails the call stops before
///   anything is built; when it succeeds, the later allocations fit under
///   the same limit (address space is returned to the kernel on free for
///   blocks of this size, so the mapping tests exactly what they will use).
package enum MemoryPreflight {
    /// Below this nothing is mapped: the process already has that much slack
    /// in its malloc arenas, and a small call must stay cheap.
    package static let smallBytes = 1 << 20

    /// Address space a started worker thread may take besides its data: its
    /// stack (glibc's default, 8 MiB) and its own malloc arena, which glibc
    /// reserves in one 64 MiB mapping (HEAP_MAX_SIZE on 64-bit, malloc/arena.c).
    /// Under RLIMIT_AS both count although they are barely touched.
    package static let perThreadBytes = 72 << 20

    /// The address space `workers` threads of one call (the caller's and
    /// workers - 1 started ones) add to their data.
    package static func threadBytes(workers: Int) -> Int {
        Swift.max(0, workers - 1) * perThreadBytes
    }

    /// Throws `.outOfMemory` unless `bytes` of address space can be had now.
    package static func require(_ bytes: Int, for what: @autoclosure () -> String) throws {
        guard bytes > smallBytes else { return }
        guard fits(bytes) else { throw outOfMemory(what(), bytes: bytes) }
    }

    /// True when `bytes` can be mapped now (the mapping is released at once;
    /// pages are never touched, so this costs no resident memory).
    package static func fits(_ bytes: Int) -> Bool {
        guard bytes > smallBytes else { return true }
        guard bytes > 0, UInt64(bytes) <= maxAddressableBytes else { return false }
        // Without MAP_NORESERVE, so that strict overcommit accounting
        // (vm.overcommit_memory = 2) is tested as well as RLIMIT_AS.
        let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapped, mapped != MAP_FAILED else { return false }
        munmap(mapped, bytes)
        return true
    }

    /// `count * elementBytes` (+ `extra`), saturating at `Int.max` (which
    /// then fails `require` with the message rather than trapping).
    package static func bytes(_ count: Int, _ elementBytes: Int, plus extra: Int = 0) -> Int {
        let (product, overflow) = count.multipliedReportingOverflow(by: elementBytes)
        let (total, overflow2) = product.addingReportingOverflow(extra)
        return overflow || overflow2 ? Int.max : total
    }

    package static func outOfMemory(_ what: String, bytes: Int) -> TMLError {
        TMLError(.outOfMemory, "out of memory: \(what) needs \(describe(bytes))")
    }

    /// "123456789 bytes (117.7 MiB)".
    package static func describe(_ bytes: Int) -> String {
        if bytes == Int.max { return "more than 2^63 bytes" }
        // Whole MiB and rounded tenths separately: bytes * 10 would overflow
        // (and trap) for requests above Int.max / 10.
        var whole = bytes >> 20
        var tenths = ((bytes & ((1 << 20) - 1)) * 10 + (1 << 19)) >> 20
        if tenths == 10 { (whole, tenths) = (whole + 1, 0) }
        return "\(bytes) bytes (\(whole).\(tenths) MiB)"
    }
}

/// A malloc'ed buffer of `count` elements, initialised to `initial`, whose
/// init throws `.outOfMemory` (naming `what` and the byte count) instead
/// of ending the process. Shared by the workers of one call: each writes
/// disjoint elements.
package final class CheckedBuffer<Element>: @unchecked Sendable {
    package let pointer: UnsafeMutablePointer<Element>
    package let count: Int

    /// `alignment` (a power of two, at least the pointer size) places the
    /// first element on that boundary: kernel weights start on a cache line,
    /// so no vector load of a row is split across two.
    package init(count: Int, initial: Element, what: @autoclosure () -> String, alignment: Int = 0) throws {
        let stride = MemoryLayout<Element>.stride
        let bytes = MemoryPreflight.bytes(Swift.max(count, 1), stride)
        var memory: UnsafeMutableRawPointer?
        if count >= 0, bytes != Int.max {
            if alignment > 0 {
                if posix_memalign(&memory, alignment, bytes) != 0 { memory = nil }
            } else {
                memory = malloc(bytes)
            }
        }
        guard let raw = memory else {
            throw MemoryPreflight.outOfMemory(what(), bytes: bytes)
        }
        pointer = raw.bindMemory(to: Element.self, capacity: Swift.max(count, 1))
        pointer.initialize(repeating: initial, count: Swift.max(count, 1))
        self.count = count
    }

    // Elements may own memory (arrays): deinitialize before freeing.
    deinit {
        pointer.deinitialize(count: Swift.max(count, 1))
        free(pointer)
    }

    package subscript(index: Int) -> Element {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }
}
