import XCTest
@testable import TrigMLT5

/// LST v2's kWp[pt][eta] lookup: pT row from the inner-T3 radius, |eta|
/// bins of 0.25 from anchor 1, the last bin open.
final class WorkingPointTests: XCTestCase {
    let table = T5WorkingPoint.table(
        ptEdges: [5.0], etaBinWidth: 0.25, etaBins: 10,
        cuts: [(0..<10).map { Float($0) / 100 }, (0..<10).map { 0.5 + Float($0) / 100 }])

    /// Radius whose inner-T3 pT is `pt` GeV.
    func radius(pt: Double) -> Float { Float(pt / (2 * T5Constants.k2Rinv1GeVf)) }

    func testEtaBinEdgesBelongToTheUpperBin() {
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 1), eta1: 0.2499), 0.00)
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 1), eta1: 0.25), 0.01)
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 1), eta1: -0.25), 0.01, "|eta| is used")
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 1), eta1: 2.25), 0.09)
    }

    func testLastEtaBinIsOpen() {
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 1), eta1: 2.4999), 0.09)
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 1), eta1: 4.0), 0.09)
    }

    func testPtRowIsStrictlyAboveFiveGeV() {
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 4.99), eta1: 0), 0.0)
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 5.01), eta1: 0), 0.5)
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 500), eta1: 0.3), 0.51)
    }

    /// Non-finite or huge inputs give a cut from the table, never a trap:
    /// the pT row counts the edges the pT is strictly above (none for NaN or
    /// a negative radius, all for +inf), and an |eta| that is NaN, infinite
    /// or past the table takes the last, open eta bin.
    func testNonFiniteInputsPickTableBins() {
        let lastEtaBinLowPt = Float(9) / 100, lastEtaBinHighPt = 0.5 + Float(9) / 100
        XCTAssertEqual(table.cut(innerRadius: .nan, eta1: .nan), lastEtaBinLowPt)
        XCTAssertEqual(table.cut(innerRadius: .nan, eta1: 0), 0.00)
        XCTAssertEqual(table.cut(innerRadius: .infinity, eta1: -.infinity), lastEtaBinHighPt)
        XCTAssertEqual(table.cut(innerRadius: -.infinity, eta1: 0.3), 0.01)
        XCTAssertEqual(table.cut(innerRadius: -5, eta1: 1e38), lastEtaBinLowPt)
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 500), eta1: .infinity), lastEtaBinHighPt)
    }

    func testSingleCutIgnoresKinematics() {
        let single = T5WorkingPoint.single(cut: 0.6177366)
        XCTAssertEqual(single.cut(innerRadius: 10, eta1: 2), 0.6177366)
    }
}
