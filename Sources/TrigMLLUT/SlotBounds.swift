import TrigMLCore

/// Every value a scheme can decode lies in a closed interval known when the
/// scheme is built: a field output ranges over its table, and each
/// operation maps operand intervals to a result interval. The builder
/// refuses a scheme whose intervals leave the finite range (a derived value
/// that could overflow, e.g. a product of huge table entries, would turn
/// into inf and then NaN), so `tml_lut_decode` only ever produces finite
/// BDT inputs, for every address and without a per-address check.
///
/// Rounded float operations are monotone in each operand, so evaluating an
/// operation at its operands' interval ends bounds every rounded result.
struct SlotBounds {
    var lo: Double
    var hi: Double

    var isFinite: Bool { lo.isFinite && hi.isFinite }

    static func table(_ values: [Double]) -> SlotBounds {
        SlotBounds(lo: values.min() ?? 0, hi: values.max() ?? 0)
    }

    static func constant(_ c: Double) -> SlotBounds { SlotBounds(lo: c, hi: c) }

    /// The result interval of `op` over operand intervals, in operand order
    /// (the order in which `LUTSlot.evaluate` combines them).
    static func of(_ op: LUTOperation, _ a: [SlotBounds]) -> SlotBounds {
        switch op {
        case .add:
            var r = SlotBounds(lo: 0, hi: 0)
            for x in a { r = SlotBounds(lo: r.lo + x.lo, hi: r.hi + x.hi) }
            return r
        case .sub:
            return SlotBounds(lo: a[0].lo - a[1].hi, hi: a[0].hi - a[1].lo)
        case .mul:
            var r = SlotBounds(lo: 1, hi: 1)
            for x in a {
                let corners = [r.lo * x.lo, r.lo * x.hi, r.hi * x.lo, r.hi * x.hi]
                // A NaN corner (0 * inf) only arises from an already
                // infinite bound; report it as unbounded.
                if corners.contains(where: { $0.isNaN }) { return SlotBounds(lo: -.infinity, hi: .infinity) }
                r = SlotBounds(lo: corners.min()!, hi: corners.max()!)
            }
            return r
        case .neg:
            return SlotBounds(lo: -a[0].hi, hi: -a[0].lo)
        case .abs:
            let x = a[0]
            let low = x.lo >= 0 ? x.lo : (x.hi <= 0 ? -x.hi : 0)
            return SlotBounds(lo: low, hi: Swift.max(Swift.abs(x.lo), Swift.abs(x.hi)))
        case .min:
            return SlotBounds(lo: a.map(\.lo).min()!, hi: a.map(\.hi).min()!)
        case .max:
            return SlotBounds(lo: a.map(\.lo).max()!, hi: a.map(\.hi).max()!)
        case .argmax:
            return SlotBounds(lo: 0, hi: Double(a.count))
        case .pick:
            let choices = a.dropFirst()
            return SlotBounds(lo: choices.map(\.lo).min()!, hi: choices.map(\.hi).max()!)
        case .eq, .lt:
            return SlotBounds(lo: 0, hi: 1)
        }
    }
}
