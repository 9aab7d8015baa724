/// Threads exist only inside one call that takes `n_threads` (the ABI
/// rule): `Parallel.run` starts workers, runs `body(worker)` on each and
/// joins them before returning. Work is split by index, never by timing,
/// so results do not depend on the thread count.
package enum Parallel {
    package static var coreCount: Int {
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? Int(n) : 1
    }

    /// `requested` 0 = all cores; capped at `work` and at 256.
    package static func threadCount(_ requested: Int, work: Int) -> Int {
        let n = requested <= 0 ? coreCount : requested
        return Swift.max(1, Swift.min(n, Swift.min(256, Swift.max(1, work))))
    }

    final class Job {
        let body: (Int) -> Void
        let index: Int
        init(_ body: @escaping (Int) -> Void, _ index: Int) { self.body = body; self.index = index }
    }

    /// Runs body(0..<workers), body(0) on the calling thread. A thread that
    /// cannot be started is replaced by running its share here.
    package static func run(workers: Int, _ body: @escaping (Int) -> Void) {
        if workers <= 1 { body(0); return }
        var handles: [pthread_t] = []
        var inline: [Int] = []
        for w in 1..<workers {
            let job = Unmanaged.passRetained(Job(body, w)).toOpaque()
            var tid = pthread_t()
            let rc = pthread_create(&tid, nil, { raw in
                guard let raw else { return nil }
                let job = Unmanaged<Job>.fromOpaque(raw).takeRetainedValue()
                job.body(job.index)
                return nil
            }, job)
            if rc == 0 {
                handles.append(tid)
            } else {
                Unmanaged<Job>.fromOpaque(job).release()
                inline.append(w)
            }
        }
        body(0)
        for w in inline { body(w) }
        for h in handles { pthread_join(h, nil) }
    }

    /// Items 0..<count split round-robin over the workers.
    package static func forEach(_ count: Int, threads: Int, _ body: @escaping (Int) -> Void) {
        let workers = threadCount(threads, work: count)
        run(workers: workers) { w in
            var i = w
            while i < count { body(i); i += workers }
        }
    }
}

/// A heap buffer shared by the workers of one call; each worker writes
/// disjoint elements.
package final class SharedBuffer<T>: @unchecked Sendable {
    package let pointer: UnsafeMutablePointer<T>
    package let count: Int
    package init(count: Int, initial: T) {
        self.count = count
        pointer = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(count, 1))
        pointer.initialize(repeating: initial, count: Swift.max(count, 1))
    }
    // Elements may own memory (arrays): deinitialize before deallocating.
    deinit {
        pointer.deinitialize(count: Swift.max(count, 1))
        pointer.deallocate()
    }
}
