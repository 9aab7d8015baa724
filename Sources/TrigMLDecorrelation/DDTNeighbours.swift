/// Distance-weighted k nearest filled bins, for filling under-populated bins
/// and for the optional smoothing (include/trigml.h, tml_ddt_config).
///
/// Distance between bin centres in bins, d = sqrt(di^2 + dj^2); weight
/// 1 / (1 + d); the k nearest filled bins ordered by (d^2, rho bin, pT bin),
/// summed in that order: X' = sum(w X) / sum(w).
struct DDTNeighbours {
    let rhoBins: Int
    let ptBins: Int
    /// Every offset (di, dj) that can join two bins, ordered by
    /// (di^2 + dj^2, di, dj): for a fixed target that is the order
    /// (d^2, rho bin, pT bin).
    let offsets: [(di: Int, dj: Int, squared: Int)]

    init(rhoBins: Int, ptBins: Int) {
        self.rhoBins = rhoBins
        self.ptBins = ptBins
        var list: [(di: Int, dj: Int, squared: Int)] = []
        list.reserveCapacity((2 * rhoBins - 1) * (2 * ptBins - 1))
        for di in (1 - rhoBins)..<rhoBins {
            for dj in (1 - ptBins)..<ptBins { list.append((di, dj, di * di + dj * dj)) }
        }
        list.sort { a, b in
            if a.squared != b.squared { return a.squared < b.squared }
            if a.di != b.di { return a.di < b.di }
            return a.dj < b.dj
        }
        offsets = list
    }

    /// The weighted mean over the `k` nearest filled bins of bin (i, j);
    /// `filled` and `values` are rho-major. At least one bin must be filled.
    func mean(i: Int, j: Int, k: Int, values: [Double], filled: [Bool]) -> Double {
        var found = 0
        var weighted = 0.0, weights = 0.0
        for o in offsets {
            let a = i + o.di, b = j + o.dj
            guard a >= 0, a < rhoBins, b >= 0, b < ptBins else { continue }
            let index = a * ptBins + b
            guard filled[index] else { continue }
            let w = 1 / (1 + Double(o.squared).squareRoot())
            weighted += w * values[index]
            weights += w
            found += 1
            if found == k { break }
        }
        return weighted / weights
    }
}
