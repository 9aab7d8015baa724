import CTrigML
import TrigMLCore
import TrigMLDecorrelation
import TrigMLLUT
import XCTest
@testable import TrigML

/// The C ABI layer's struct conversions: what a C caller fills in reaches
/// the domain value unchanged, and what the library fills in reads back.
final class CStructConversionTests: XCTestCase {
    func testDDTConfigDefaultsRoundTrip() throws {
        var c = tml_ddt_config()
        XCTAssertEqual(tml_ddt_config_init(&c, 0.05), 0)
        XCTAssertEqual(c.rho_bins, 35)
        XCTAssertEqual(c.pt_bins, 8)
        XCTAssertEqual(c.rho_min, -7)
        XCTAssertEqual(c.pt_max, 1000)
        XCTAssertEqual(c.smoothing, TML_DDT_SMOOTHING_NONE)
        XCTAssertEqual(c.direction, TML_DDT_HIGHER_PASSES)
        let back = try withUnsafePointer(to: &c) { try DDTSettings($0) }
        XCTAssertEqual(back, try DDTSettings.defaults(backgroundEfficiency: 0.05))
        XCTAssertEqual(back.cStruct.neighbours, c.neighbours)
    }

    func testDDTConfigBadEnumNamesTheMember() {
        var c = tml_ddt_config()
        XCTAssertEqual(tml_ddt_config_init(&c, 0.05), 0)
        c.smoothing = 7
        XCTAssertThrowsError(try withUnsafePointer(to: &c) { try DDTSettings($0) }) { error in
            XCTAssertTrue((error as? TMLError)?.message.hasPrefix("smoothing = 7") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try DDTSettings(nil))
    }

    func testPtConversionRoundTrip() throws {
        for name in ["emtf2017", "emtf2022"] {
            let preset = try PtConversion.preset(name)
            var c = preset.cStruct
            XCTAssertEqual(try withUnsafePointer(to: &c) { try PtConversion($0) }, preset, name)
        }
        var bad = try PtConversion.preset("emtf2017").cStruct
        bad.target = 9
        XCTAssertThrowsError(try withUnsafePointer(to: &bad) { try PtConversion($0) })
        bad = try PtConversion.preset("emtf2017").cStruct
        bad.word_per_gev = .nan
        XCTAssertThrowsError(try withUnsafePointer(to: &bad) { try PtConversion($0) })
    }
}
