import XCTest
@testable import TrigMLCore

/// Per-thread working memory: reused across calls on one thread (no
/// allocation per call), grown when a call needs more, a nested use gets its
/// own buffer, separate per thread, and a size that cannot be had is an
/// out-of-memory error before the body runs, not a trap.
final class ThreadScratchTests: XCTestCase {
    func block(_ bytes: Int) throws -> UnsafeMutableRawPointer {
        try ThreadScratch.with(bytes: bytes, for: "test") { $0 }
    }

    func testSameThreadReusesTheBlockUntilItMustGrow() throws {
        let first = try block(1000)
        XCTAssertEqual(Int(bitPattern: first) % ThreadScratch.alignment, 0, "64-byte aligned")
        XCTAssertEqual(try block(1000), first)
        XCTAssertEqual(try block(10), first)
        let grown = try block(1 << 19)
        try ThreadScratch.with(bytes: 1 << 19, for: "test") { memory in
            memory.storeBytes(of: 0xAB, toByteOffset: (1 << 19) - 1, as: UInt8.self)
            XCTAssertEqual(memory, grown)
        }
        XCTAssertEqual(try block(1 << 19), grown)
    }

    func testNestedUseGetsItsOwnBuffer() throws {
        try ThreadScratch.with(bytes: 4096, for: "outer") { outer in
            try ThreadScratch.with(bytes: 4096, for: "inner") { inner in XCTAssertNotEqual(inner, outer) }
        }
    }

    func testEveryThreadHasItsOwnBlock() throws {
        let mine = try block(4096)
        let theirs = try CheckedBuffer<Int>(count: 1, initial: 0, what: "test")
        let done = expectation(description: "thread ran")
        Thread {
            theirs[0] = Int(bitPattern: try? ThreadScratch.with(bytes: 4096, for: "test") { $0 })
            done.fulfill()
        }.start()
        wait(for: [done], timeout: 10)
        XCTAssertNotEqual(theirs[0], 0)
        XCTAssertNotEqual(theirs[0], Int(bitPattern: mine))
    }

    func testImpossibleSizeIsOutOfMemoryBeforeTheBodyRuns() {
        var ran = false
        XCTAssertThrowsError(try ThreadScratch.with(bytes: Int.max - 8, for: "a T5 call") { _ in ran = true }) { error in
            XCTAssertEqual((error as? TMLError)?.code, .outOfMemory)
            XCTAssertTrue((error as? TMLError)?.message.contains("a T5 call") ?? false)
        }
        XCTAssertFalse(ran)
    }
}
