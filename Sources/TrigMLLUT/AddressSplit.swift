import TrigMLCore

/// Choosing the split bit of the tabulation: the address bits below it are
/// the "low" side, those above it the "high" side (see `LUTGenerator`).
extension LUTGenerator {
    /// Widest side, in address bits, that the tabulation decodes in full
    /// (2^22 values: per tree and side one 16-bit class id per value).
    static let maxSideBits = 22
    /// A scheme without a valid split bit and at most this many address
    /// bits is tabulated whole: every bit "low", a single high value.
    static let maxUnsplitBits = 20

    /// The split bit: every field and every input entirely below or above
    /// it, each side at most `maxSideBits` wide, and the two sides as
    /// balanced as possible (ties: the lower bit). Nil when none exists and
    /// the scheme is wider than `maxUnsplitBits`.
    static func split(_ scheme: LUTScheme) -> Int? {
        let addressBits = scheme.addressBits
        let inputSupports = scheme.inputSupport
        var best: Int? = nil
        for splitBit in 1..<max(addressBits, 1) {
            guard let lowFields = fieldsBelow(splitBit, in: scheme) else { continue }
            if inputSupports.contains(where: { $0 & lowFields != 0 && $0 & ~lowFields != 0 }) { continue }
            if splitBit > maxSideBits || addressBits - splitBit > maxSideBits { continue }
            if let bestBit = best {
                if abs(2 * splitBit - addressBits) < abs(2 * bestBit - addressBits) { best = splitBit }
            } else { best = splitBit }
        }
        if best == nil && addressBits <= maxUnsplitBits { return addressBits }
        return best
    }

    /// The set of fields (bit i = field i) that lie entirely below
    /// `splitBit`; nil when a field straddles it.
    static func fieldsBelow(_ splitBit: Int, in scheme: LUTScheme) -> UInt64? {
        var lowFields: UInt64 = 0
        for (index, field) in scheme.fields.enumerated() {
            if field.offset + field.width <= splitBit { lowFields |= UInt64(1) << UInt64(index) }
            else if field.offset < splitBit { return nil }
        }
        return lowFields
    }

    /// Per BDT input: true when it reads only low fields. An input that
    /// reads no field (a constant) counts as high; either side would do.
    static func inputIsLow(_ scheme: LUTScheme, lowFields: UInt64) -> [Bool] {
        scheme.inputSupport.map { $0 != 0 && $0 & ~lowFields == 0 }
    }
}
