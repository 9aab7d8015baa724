import TrigMLCore

/// Building a DDT map from a background-only sample.
extension DDTMap {
    /// Per (rho, pT) bin: the weighted quantile (WeightedQuantile) of the
    /// score at `settings.level` over the bin's jets of positive weight when
    /// there are at least `minEntries` of them; other bins are filled from
    /// their nearest filled neighbours or fail the build
    /// (`settings.emptyBins`); then the optional k-NN smoothing.
    package static func build(count n: Int, score: UnsafePointer<Float>, mass: UnsafePointer<Float>,
                             pt: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
                             settings: DDTSettings, provenance: String = "") throws -> DDTMap {
        let rhoAxis = settings.rho, ptAxis = settings.pt
        let binCount = rhoAxis.bins * ptAxis.bins
        // The per-jet arrays are sized by the caller's n: checked
        // allocations (ARCHITECTURE.md "Memory"), so a job under a memory
        // limit gets TML_ERR_OUT_OF_MEMORY instead of a trap.
        let binOf = try CheckedBuffer<Int>(count: n, initial: -1, what: "the bins of \(n) DDT jets")
        // Check every jet before using any, and find its bin (-1: outside).
        var members = [Int](repeating: 0, count: binCount)
        for k in 0..<n {
            let s = score[k], m = mass[k], p = pt[k]
            guard s.isFinite else { throw TMLError.invalid("score[\(k)] is not finite") }
            guard settings.scoreTransform.accepts(s) else { throw settings.scoreTransform.refusal("score", k, s) }
            guard m.isFinite else { throw TMLError.invalid("mass[\(k)] is not finite (\(m))") }
            guard p.isFinite else { throw TMLError.invalid("pt[\(k)] is not finite (\(p))") }
            guard m >= 0 else { throw TMLError.invalid("mass[\(k)] = \(m) is negative") }
            guard p > 0 else { throw TMLError.invalid("pt[\(k)] = \(p): rho = ln(m^2/pT^2) needs pT > 0") }
            var w: Float = 1
            if let weight {
                w = weight[k]
                guard w.isFinite else { throw TMLError.invalid("weight[\(k)] is not finite") }
                guard w >= 0 else { throw TMLError.invalid("weight[\(k)] = \(w) is negative") }
            }
            guard w > 0,
                  let i = rhoAxis.bin(rho(mass: Double(m), pt: Double(p))),
                  let j = ptAxis.bin(Double(p)) else { continue }
            binOf[k] = i * ptAxis.bins + j
            members[i * ptAxis.bins + j] += 1
        }
        // Jets of each bin in input order (a counting sort).
        var start = [Int](repeating: 0, count: binCount + 1)
        for b in 0..<binCount { start[b + 1] = start[b] + members[b] }
        var next = start
        let order = try CheckedBuffer<Int>(count: start[binCount], initial: 0,
                                           what: "the bin order of \(start[binCount]) DDT jets")
        for k in 0..<n where binOf[k] >= 0 {
            order[next[binOf[k]]] = k
            next[binOf[k]] += 1
        }
        var values = [Double](repeating: 0, count: binCount)
        var filled = [Bool](repeating: false, count: binCount)
        let transformed = try CheckedBuffer<Float>(count: settings.scoreTransform == .identity ? 0 : n, initial: 0,
                                                   what: "the transformed scores of \(n) DDT jets")
        if settings.scoreTransform != .identity {
            for k in 0..<n { transformed[k] = settings.scoreTransform(score[k]) }
        }
        let binned = settings.scoreTransform == .identity ? score : UnsafePointer(transformed.pointer)
        for b in 0..<binCount where members[b] >= settings.minEntries {
            let jets = UnsafeBufferPointer(start: order.pointer + start[b], count: members[b])
            if let x = try WeightedQuantile.of(indices: jets, score: binned, weight: weight, level: settings.level) {
                values[b] = x
                filled[b] = true
            }
        }
        guard filled.contains(true) else {
            throw TMLError.invalid("no (rho, pT) bin holds min_entries = \(settings.minEntries) jets (\(start[binCount]) of \(n) jets fall inside the map); the map would be empty")
        }
        if settings.emptyBins == .fail, let empty = filled.firstIndex(of: false) {
            let i = empty / ptAxis.bins, j = empty % ptAxis.bins
            throw TMLError.invalid("bin (rho \(i): [\(rhoAxis.lowEdge(i)), \(rhoAxis.lowEdge(i + 1))), pT \(j): [\(ptAxis.lowEdge(j)), \(ptAxis.lowEdge(j + 1))) GeV) holds \(members[empty]) jets, fewer than min_entries = \(settings.minEntries), and empty_bins is TML_DDT_EMPTY_FAIL")
        }
        var result = values
        if settings.smoothing == .knn || filled.contains(false) {
            let neighbours = DDTNeighbours(rhoBins: rhoAxis.bins, ptBins: ptAxis.bins)
            for b in 0..<binCount where settings.smoothing == .knn || !filled[b] {
                result[b] = neighbours.mean(i: b / ptAxis.bins, j: b % ptAxis.bins, k: settings.neighbours,
                                            values: values, filled: filled)
            }
        }
        return DDTMap(settings: settings, values: result, entries: members, filled: filled, provenance: provenance)
    }
}
