import XCTest
import TrigMLCore
@testable import TrigMLLUT

/// The scheme file refuses unknown keys at every level (TML_ERR_FORMAT, the
/// key's path and the nearest valid key): a misspelt decoding must not
/// leave a field decoding as its raw value.
final class SchemeFileStrictTests: XCTestCase {
    /// The documented example (docs/formats/lut_scheme.md), with `edit`
    /// applied to its text.
    func scheme(_ edit: (String) -> String = { $0 }) -> String {
        edit("""
        {"format": "trigml.lut-scheme", "format_version": 1, "name": "my-scheme",
         "first_address": 4096, "address_bits": 12,
         "fields": [
          {"name": "dphi_bin", "offset": 0, "width": 3, "table": [0, 1, 2, 4, 8, 16, 32, 64]},
          {"name": "sign", "offset": 3, "width": 1, "table": [-1, 1]},
          {"name": "eta", "offset": 4, "width": 4, "linear": {"scale": 0.1, "offset": 1.2}},
          {"name": "quality", "offset": 8, "width": 4,
           "outputs": {"q_code": {"scale": 1}, "q_is_rpc": [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}}],
         "values": [{"name": "dphi", "op": "mul", "args": ["dphi_bin", "sign"]},
                    {"name": "dphi_eta", "op": "add", "args": ["dphi", "eta", 0.5]}],
         "inputs": ["eta", "dphi", "dphi_eta", "q_code", "q_is_rpc"]}
        """)
    }

    func assertRefused(_ text: String, _ fragments: [String], line: UInt = #line) {
        do {
            _ = try LUTScheme.parse(text: text, source: "s.json")
            XCTFail("accepted", line: line)
        } catch let error as TMLError {
            XCTAssertEqual(error.code, .format, error.message, line: line)
            for fragment in fragments {
                XCTAssertTrue(error.message.contains(fragment), "'\(error.message)' lacks '\(fragment)'", line: line)
            }
        } catch {
            XCTFail("\(error)", line: line)
        }
    }

    func testTheExampleLoads() throws {
        let s = try LUTScheme.parse(text: scheme(), source: "s.json")
        XCTAssertEqual(s.featureCount, 5)
    }

    func testUnknownKeysAreRefusedAtEveryLevel() {
        assertRefused(scheme { $0.replacing("\"address_bits\"", with: "\"adress_bits\": 3, \"address_bits\"") },
                      ["s.json: adress_bits is not a known key", "did you mean 'address_bits'?"])
        // The case: "linaer" in the third field.
        assertRefused(scheme { $0.replacing("\"width\": 4, \"linear\"", with: "\"width\": 4, \"linaer\"") },
                      ["fields[2].linaer is not a known key", "did you mean 'linear'?"])
        assertRefused(scheme { $0.replacing("{\"scale\": 0.1, \"offset\": 1.2}", with: "{\"scale\": 0.1, \"ofset\": 1.2}") },
                      ["fields[2].linear.ofset is not a known key", "did you mean 'offset'?"])
        assertRefused(scheme { $0.replacing("{\"scale\": 1}", with: "{\"scale\": 1, \"offst\": 2}") },
                      ["fields[3].outputs.q_code.offst is not a known key", "did you mean 'offset'?"])
        assertRefused(scheme { $0.replacing("\"op\": \"add\"", with: "\"op\": \"add\", \"arg\": []") },
                      ["values[1].arg is not a known key", "did you mean 'args'?"])
    }

    func testOneDecodingPerField() {
        assertRefused(scheme { $0.replacing("\"table\": [-1, 1]", with: "\"table\": [-1, 1], \"linear\": {\"scale\": 2}") },
                      ["fields[1] has 'table' and 'linear'"])
    }
}
