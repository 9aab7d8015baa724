import TrigMLCore
import TrigMLLUT

// The physics summary `generate` ends with. A forest converted with the
// wrong rule still gives a table of valid words: a log2-pT-target forest
// converted with the 1/pT rule put 99.9% of the words at or below 3, with
// no complaint. Two symptoms are checked: most words at the floor or the
// ceiling word, and a median word that rises with |dPhi| (a larger bend
// between stations means a lower pT in every EMTF mode, so the word must
// fall).

struct PhysicsSummary {
    var lines: [String] = []
    var warnings: [String] = []

    static let histogramBins = 16
    static let dPhiBins = 8
    /// More than this fraction of a scheme's words at the floor or the
    /// ceiling is reported.
    static let crowdedFraction = 0.5

    /// The lowest word the conversion can give (its value at either end of
    /// the BDT output's range: 1 for emtf2017, 3 for emtf2022).
    static func floorWord(_ conversion: PtConversion) -> UInt16 {
        Swift.min(conversion.word(Float.greatestFiniteMagnitude), conversion.word(-Float.greatestFiniteMagnitude))
    }

    init(parts: [Part], words: UnsafePointer<UInt16>, first: UInt64, count: UInt64, conversion: PtConversion,
         sample: Int) throws {
        let floor = Self.floorWord(conversion)
        let ceiling = UInt16(truncatingIfNeeded: conversion.wordMax)
        for part in parts.sorted(by: { $0.scheme.firstAddress > $1.scheme.firstAddress }) {
            guard let (lo, hi) = overlap(part.scheme, first: first, count: count) else { continue }
            let name = part.scheme.name
            let partWords = UnsafeBufferPointer(start: words + Int(lo - first), count: Int(hi - lo))
            var histogram = [Int](repeating: 0, count: Self.histogramBins)
            let binWidth = (Int(conversion.wordMax) + Self.histogramBins) / Self.histogramBins
            var atFloor = 0, atCeiling = 0
            for word in partWords {
                histogram[Swift.min(Self.histogramBins - 1, Int(word) / binWidth)] += 1
                if word == floor { atFloor += 1 }
                if word == ceiling { atCeiling += 1 }
            }
            let total = Double(partWords.count)
            lines.append("\(name): \(partWords.count) words")
            lines.append("  word histogram: " + histogram.enumerated().map { bin, n in
                "[\(bin * binWidth),\((bin + 1) * binWidth)) \(percent(Double(n) / total))"
            }.joined(separator: " "))
            let floorFraction = Double(atFloor) / total, ceilingFraction = Double(atCeiling) / total
            lines.append("  at the floor word \(floor): \(percent(floorFraction)); at the ceiling word \(ceiling): \(percent(ceilingFraction))")
            if floorFraction > Self.crowdedFraction {
                warnings.append("\(name): \(percent(floorFraction)) of the words sit at the floor word \(floor) (the lowest pT the conversion gives)")
            }
            if ceilingFraction > Self.crowdedFraction {
                warnings.append("\(name): \(percent(ceilingFraction)) of the words sit at the ceiling word \(ceiling)")
            }
            try medianByDPhi(part.scheme, lo: lo, hi: hi, first: first, words: words, sample: sample)
        }
        if !warnings.isEmpty {
            warnings.append("the forest's training target probably does not match the conversion (here target \(targetName(conversion.target)); emtf2017 converts a 1/pT target (inv_pt), emtf2022 a log2 pT target (log2_pt)); choose it with --conversion, --target or --conversion-file")
        }
    }

    /// Median word in bins of |leading dPhi| over a sample of the range.
    mutating func medianByDPhi(_ scheme: LUTScheme, lo: UInt64, hi: UInt64, first: UInt64,
                               words: UnsafePointer<UInt16>, sample: Int) throws {
        guard sample > 0, let input = scheme.inputNames.firstIndex(where: { $0.lowercased().hasPrefix("dphi") }) else { return }
        let n = Int(Swift.min(UInt64(sample), hi - lo))
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        var addresses = [UInt64](repeating: 0, count: n)
        for k in 0..<n {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            addresses[k] = n == Int(hi - lo) ? lo + UInt64(k) : lo + (state >> 11) % (hi - lo)
        }
        var inputs = [Float](repeating: 0, count: n * scheme.featureCount)
        try addresses.withUnsafeBufferPointer { a in
            try inputs.withUnsafeMutableBufferPointer { x in
                guard let base = x.baseAddress else { return }
                try scheme.decode(a, into: base)
            }
        }
        var pairs = (0..<n).map { (Swift.abs(inputs[$0 * scheme.featureCount + input]), words[Int(addresses[$0] - first)]) }
        pairs.sort { $0.0 < $1.0 }
        // Equal-count bins; equal |dPhi| values stay in one bin.
        var medians: [(Float, Float, UInt16)] = []
        var start = 0
        for bin in 1...Self.dPhiBins where start < n {
            var end = bin == Self.dPhiBins ? n : Swift.max(start + 1, n * bin / Self.dPhiBins)
            while end < n && pairs[end].0 == pairs[end - 1].0 { end += 1 }
            let binWords = pairs[start..<end].map(\.1).sorted()
            medians.append((pairs[start].0, pairs[end - 1].0, binWords[binWords.count / 2]))
            start = end
        }
        let inputName = scheme.inputNames[input]
        lines.append("  median word by |\(inputName)| (\(n) sampled addresses): "
            + medians.map { "[\($0.0), \($0.1)] \($0.2)" }.joined(separator: " | "))
        if let lowest = medians.first, let highest = medians.last, medians.count > 1, highest.2 > lowest.2 {
            warnings.append("\(scheme.name): the median word rises with |\(inputName)| (\(lowest.2) at the smallest, \(highest.2) at the largest); a larger bend must mean a lower pT")
        }
    }
}

func percent(_ fraction: Double) -> String {
    let tenths = (fraction * 1000).rounded()
    return "\(Int(tenths) / 10).\(Int(tenths) % 10)%"
}
