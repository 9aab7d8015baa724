import TrigMLCPU
import TrigMLCore

/// Where a T5 passes: `score > cut` (LST uses a strict `>`; NaN never passes).
package enum T5WorkingPoint {
    /// One cut for every candidate (LST v1: `LSTWP2 = 0.6177366`).
    case single(cut: Float)
    /// LST v2 `kWp[pt][eta]` (RecoTracker/LSTCore/interface/alpaka/Common.h).
    case ptEtaTable(T5CutTable)

    /// A pT x |eta| table; `cuts[ptBin][etaBin]`.
    package static func table(ptEdges: [Double], etaBinWidth: Double, etaBins: Int, cuts: [[Float]]) throws -> T5WorkingPoint {
        .ptEtaTable(try T5CutTable(ptEdges: ptEdges, etaBinWidth: etaBinWidth, etaBins: etaBins, cuts: cuts))
    }

    /// The cut that applies to a candidate with this inner-T3 radius and
    /// first-anchor eta (T5CutLookup.cut says how a table is read), for
    /// tests and tools; scoring reads it through `withCutSource`.
    package func cut(innerRadius: Float, eta1: Float) -> Float {
        Optional(self).withCutSource { $0.cut(innerRadius: innerRadius, eta1: eta1) } ?? .nan
    }

    static func parse(_ node: JSONNode) throws -> T5WorkingPoint {
        let kind = try node.member("kind").string()
        switch kind {
        case "single":
            return .single(cut: try node.member("cut").finiteFloat())
        case "pt_eta_table":
            let edges = try node.member("pt_edges_gev").finiteDoubles()
            guard edges.count <= 64 else { throw node.fail("has more than 64 pT edges") }
            for i in edges.indices.dropFirst() where !(edges[i] > edges[i - 1]) {
                throw node.fail("pt_edges_gev must increase strictly")
            }
            let widthNode = try node.member("eta_bin_width")
            let width = try widthNode.finiteDouble()
            guard width > 0 else { throw widthNode.fail("must be > 0") }
            let binsNode = try node.member("eta_bins")
            let bins = try binsNode.int(min: 1, max: 1000)
            let rowsNode = try node.member("cuts")
            let rows = try rowsNode.array()
            guard rows.count == edges.count + 1 else {
                throw TMLError.shape("\(rowsNode.path) has \(rows.count) pT rows, expected \(edges.count + 1) (one more than pt_edges_gev)")
            }
            let cuts = try rows.map { try $0.finiteFloats(count: bins) }
            return try .table(ptEdges: edges, etaBinWidth: width, etaBins: bins, cuts: cuts)
        default:
            throw try node.member("kind").fail("= '\(kind)' is not a working-point kind (single, pt_eta_table)")
        }
    }
}

/// A pT x |eta| cut table as flat numbers: the pT bin of the inner-T3 pT
/// 2*k2Rinv1GeVf*innerRadius counts the edges it is strictly above (LST:
/// `pt > 5` selects row 1), the |eta| bin of anchor 1 is floor(|eta1| / width),
/// the last bin open.
package final class T5CutTable {
    /// The pT edges, the cuts row-major (cuts[ptBin * etaBins + etaBin]) and
    /// the bin width, as the per-candidate lookup reads them: plain pointers
    /// into storage this table owns (no reference counting per candidate).
    let lookup: T5CutLookup
    private let edgeStorage: CheckedBuffer<Double>
    private let cutStorage: CheckedBuffer<Float>

    init(ptEdges: [Double], etaBinWidth: Double, etaBins: Int, cuts: [[Float]]) throws {
        let flat = cuts.flatMap { $0 }
        edgeStorage = try CheckedBuffer(count: ptEdges.count, initial: 0, what: "a T5 cut table's pT edges")
        cutStorage = try CheckedBuffer(count: flat.count, initial: 0, what: "a T5 cut table")
        for (i, edge) in ptEdges.enumerated() { edgeStorage[i] = edge }
        for (i, cut) in flat.enumerated() { cutStorage[i] = cut }
        lookup = T5CutLookup(ptEdges: UnsafeBufferPointer(start: edgeStorage.pointer, count: ptEdges.count),
                             etaBinWidth: Float(etaBinWidth), etaBins: etaBins,
                             cuts: UnsafeBufferPointer(start: cutStorage.pointer, count: flat.count),
                             k2Rinv1GeVf: T5Constants.k2Rinv1GeVf)
    }
}

/// A table working point's cut for each candidate, as plain numbers and
/// pointers.
struct T5CutLookup {
    let ptEdges: UnsafeBufferPointer<Double>
    let etaBinWidth: Float
    let etaBins: Int
    let cuts: UnsafeBufferPointer<Float>
    /// T5Constants.k2Rinv1GeVf, read once.
    let k2Rinv1GeVf: Float

    /// The cut for this inner-T3 radius and first-anchor eta, in LST's float
    /// arithmetic (cmssw RecoTracker/LSTCore/src/alpaka/NeuralNetwork.h at
    /// 719e09e3): pT = innerRadius * k2Rinv1GeVf * 2 in float, compared with
    /// each edge (`t5_pt > 5.0f`); eta bin = Int(|eta1| / width) in float.
    /// LST indexes past its 10-entry row at |eta1| = 2.5 exactly (`eta1 > 2.5f`
    /// picks the last bin only above it); here every |eta1| at or past the
    /// last bin's lower edge takes the last bin. Non-finite inputs never
    /// trap: a NaN or negative pT is above no edge (first row), +inf above all
    /// (last row); a NaN or infinite |eta| takes the last bin. Their score is
    /// NaN anyway, so they never pass.
    @inline(__always)
    func cut(innerRadius: Float, eta1: Float) -> Float {
        let pt = Double(innerRadius * k2Rinv1GeVf * 2)
        var ptBin = 0
        for edge in ptEdges where pt > edge { ptBin &+= 1 }
        let scaled = abs(eta1) / etaBinWidth
        // Compare before converting: Int(NaN) or Int(1e30) would trap. The
        // bins are at most 65 x 1000 (T5WorkingPoint.parse): no overflow.
        let etaBin = scaled < Float(etaBins - 1) ? Int(scaled) : etaBins - 1
        return cuts[ptBin &* etaBins &+ etaBin]
    }
}

/// What decides the pass flags of one call, with nothing reference-counted:
/// no flags, one cut, or a table lookup.
enum T5CutSource {
    case none
    case single(Float)
    case table(T5CutLookup)

    @inline(__always)
    func cut(innerRadius: Float, eta1: Float) -> Float? {
        switch self {
        case .none: return nil
        case .single(let c): return c
        case .table(let lookup): return lookup.cut(innerRadius: innerRadius, eta1: eta1)
        }
    }
}

extension T5WorkingPoint {
    /// The cut source of this working point; a table's lookup points into
    /// storage the table owns, so it is valid while the working point lives.
    var cutSource: T5CutSource {
        switch self {
        case .single(let c): return .single(c)
        case .ptEtaTable(let table): return .table(table.lookup)
        }
    }
}

extension Optional where Wrapped == T5WorkingPoint {
    /// Runs `body` with this working point (if any) as a cut source, the
    /// working point kept alive meanwhile.
    @inline(__always)
    func withCutSource<R>(_ body: (T5CutSource) throws -> R) rethrows -> R {
        guard let point = self else { return try body(.none) }
        return try withExtendedLifetime(point) { try body(point.cutSource) }
    }
}
