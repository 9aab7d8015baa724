import XCTest
@testable import TrigMLCore

/// Threads for the calls that take n_threads, and the once-slot that
/// forests keep their LUT form in.
final class PlatformTests: XCTestCase {
    func testThreadCountRules() {
        XCTAssertEqual(Parallel.threadCount(4, work: 2), 2, "never more workers than work")
        XCTAssertEqual(Parallel.threadCount(4, work: 0), 1)
        XCTAssertEqual(Parallel.threadCount(1000, work: 1000), 256)
        XCTAssertEqual(Parallel.threadCount(0, work: 1000), min(Parallel.coreCount, 256), "0 means all cores")
    }

    func testForEachVisitsEveryItemOnce() {
        let count = 1000
        let visits = SharedBuffer<Int>(count: count, initial: 0)
        Parallel.forEach(count, threads: 4) { i in visits.pointer[i] += 1 }
        XCTAssertEqual((0..<count).filter { visits.pointer[$0] != 1 }, [])
    }

    func testOnceSlotMakesOneValueForAllThreads() {
        final class Counter: @unchecked Sendable { let mutex = Mutex(); var made = 0 }
        let counter = Counter()
        let slot = OnceSlot<Int>()
        let seen = SharedBuffer<Int>(count: 8, initial: -1)
        Parallel.run(workers: 8) { worker in
            seen.pointer[worker] = slot.value {
                counter.mutex.locked { counter.made += 1 }
                return 42
            }
        }
        XCTAssertEqual(counter.made, 1)
        XCTAssertEqual((0..<8).map { seen.pointer[$0] }, Array(repeating: 42, count: 8))
    }

    func testMutexSerialises() {
        final class Total: @unchecked Sendable { let mutex = Mutex(); var sum = 0 }
        let total = Total()
        Parallel.run(workers: 4) { _ in
            for _ in 0..<10_000 { total.mutex.locked { total.sum += 1 } }
        }
        XCTAssertEqual(total.sum, 40_000)
    }
}
