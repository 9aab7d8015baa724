import TrigMLCPU
import XCTest
@testable import TrigMLT5

/// LST v2's kWp[pt][eta] lookup: pT row from the inner-T3 radius, |eta|
/// bins of 0.25 from anchor 1, the last bin open, in LST's float arithmetic.
final class WorkingPointTests: XCTestCase {
    // A table this small always fits in memory (its storage is checked).
    let table = try! T5WorkingPoint.table(
        ptEdges: [5.0], etaBinWidth: 0.25, etaBins: 10,
        cuts: [(0..<10).map { Float($0) / 100 }, (0..<10).map { 0.5 + Float($0) / 100 }])

    /// Radius whose inner-T3 pT is about `pt` GeV.
    func radius(pt: Float) -> Float { pt / (2 * T5Constants.k2Rinv1GeVf) }

    func testEtaBinEdgesBelongToTheUpperBin() {
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 1), eta1: 0.2499), 0.00)
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 1), eta1: 0.25), 0.01)
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 1), eta1: -0.25), 0.01, "|eta| is used")
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 1), eta1: 2.25), 0.09)
    }

    func testLastEtaBinIsOpenAndTakesExactly2p5() {
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 1), eta1: 2.4999), 0.09)
        // LST reads kWp[pt][10] here (past its row); the library clamps.
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 1), eta1: 2.5), 0.09)
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 1), eta1: 4.0), 0.09)
    }

    func testPtRowIsTheFloatPtStrictlyAboveFiveGeV() {
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 4.99), eta1: 0), 0.0)
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 5.01), eta1: 0), 0.5)
        XCTAssertEqual(table.cut(innerRadius: radius(pt: 500), eta1: 0.3), 0.51)
        // The float radii around the edge: pT = R * k2Rinv1GeVf * 2 in float, > 5.0f.
        var r = radius(pt: 5)
        for _ in 0..<4 { r = r.nextDown }
        for _ in 0..<8 {
            let pt = r * T5Constants.k2Rinv1GeVf * 2
            XCTAssertEqual(table.cut(innerRadius: r, eta1: 0), pt > 5 ? 0.5 : 0.0, "R = \(r)")
            r = r.nextUp
        }
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
        XCTAssertEqual(table.cut(innerRadius: .greatestFiniteMagnitude, eta1: 0), 0.5, "pT overflows to +inf")
    }

    func testSingleCutIgnoresKinematics() {
        let single = T5WorkingPoint.single(cut: 0.6177366)
        XCTAssertEqual(single.cut(innerRadius: 10, eta1: 2), 0.6177366)
    }
}
