import XCTest
@testable import TrigMLCore

/// Per-thread scratch: reused across calls on one thread (no allocation per
/// call), grown when a call needs more, separate per thread, and a size that
/// cannot be had is an out-of-memory error, not a trap.
final class ThreadScratchTests: XCTestCase {
    func testSameThreadReusesTheBlockUntilItMustGrow() throws {
        let first = try ThreadScratch.memory(bytes: 1000, for: "test")
        XCTAssertEqual(Int(bitPattern: first) % 64, 0, "64-byte aligned")
        XCTAssertEqual(try ThreadScratch.memory(bytes: 1000, for: "test"), first)
        XCTAssertEqual(try ThreadScratch.memory(bytes: 10, for: "test"), first)
        let grown = try ThreadScratch.memory(bytes: 1 << 20, for: "test")
        grown.storeBytes(of: 0xAB, toByteOffset: (1 << 20) - 1, as: UInt8.self)
        XCTAssertEqual(try ThreadScratch.memory(bytes: 1 << 20, for: "test"), grown)
    }

    func testEveryThreadHasItsOwnBlock() throws {
        let mine = try ThreadScratch.memory(bytes: 4096, for: "test")
        var theirs: UnsafeMutableRawPointer?
        let thread = Thread { theirs = try? ThreadScratch.memory(bytes: 4096, for: "test") }
        let done = expectation(description: "thread ran")
        let watcher = Thread { while !thread.isFinished { usleep(1000) }; done.fulfill() }
        thread.start(); watcher.start()
        wait(for: [done], timeout: 10)
        XCTAssertNotNil(theirs)
        XCTAssertNotEqual(theirs, mine)
    }

    func testImpossibleSizeIsOutOfMemory() {
        XCTAssertThrowsError(try ThreadScratch.memory(bytes: Int.max - 8, for: "a T5 call")) { error in
            XCTAssertEqual((error as? TMLError)?.code, .outOfMemory)
            XCTAssertTrue((error as? TMLError)?.message.contains("a T5 call") ?? false)
        }
    }
}
