import XCTest
@testable import TrigMLCore

/// The byte counts an out-of-memory message names: exact bytes and MiB to a
/// tenth, for every size a request can have (a trap while reporting an
/// allocation failure would end the host the check exists to protect).
final class MemoryPreflightTests: XCTestCase {
    func testMessagesRoundToATenthOfAMiB() {
        XCTAssertEqual(MemoryPreflight.describe(0), "0 bytes (0.0 MiB)")
        XCTAssertEqual(MemoryPreflight.describe(1 << 20), "1048576 bytes (1.0 MiB)")
        XCTAssertEqual(MemoryPreflight.describe((1 << 21) - 1), "2097151 bytes (2.0 MiB)")
        XCTAssertEqual(MemoryPreflight.describe(564_937_712), "564937712 bytes (538.8 MiB)")
    }

    func testHugeRequestsAreDescribedNotTrapped() {
        XCTAssertEqual(MemoryPreflight.describe(Int.max), "more than 2^63 bytes")
        XCTAssertEqual(MemoryPreflight.describe(Int.max - 8), "9223372036854775799 bytes (8796093022208.0 MiB)")
        XCTAssertEqual(MemoryPreflight.outOfMemory("a table", bytes: Int.max / 3).code, .outOfMemory)
    }
}
