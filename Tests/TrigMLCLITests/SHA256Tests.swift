import XCTest
@testable import TrigMLCLI

/// The forest digest written into every LUT sidecar (FIPS 180-4 test vectors).
final class SHA256Tests: XCTestCase {
    func testFIPSVectors() {
        XCTAssertEqual(SHA256.hash(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hash([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var s = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { s.update(chunk) }  // one million 'a'
        XCTAssertEqual(SHA256.hex(s.finalize()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // split updates at odd boundaries equal one update
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var t = SHA256()
        t.update(Array(data[0..<3])); t.update(Array(data[3..<130])); t.update(Array(data[130...]))
        XCTAssertEqual(SHA256.hex(t.finalize()), SHA256.hash(data))
    }
}
