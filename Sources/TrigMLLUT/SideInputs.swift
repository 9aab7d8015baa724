import TrigMLCore

extension Tabulation {
    /// The BDT inputs of every value of one side of the split, feature-major:
    /// `inputs.pointer[feature * valueCount + value]`. Side value v stands for
    /// the scheme-local address bits `v << shift` with the other side's bits
    /// zero. That is exact for every input of this side, because each input
    /// reads fields of one side only (`LUTGenerator.split`); the entries of
    /// the other side's inputs are never read.
    static func decodeSide(_ scheme: LUTScheme, valueCount: Int, shift: Int, threads: Int) throws -> CheckedBuffer<Float> {
        let featureCount = scheme.featureCount
        let inputs = try CheckedBuffer<Float>(count: featureCount * valueCount, initial: 0,
                                              what: "the decoded inputs of \(valueCount) LUT side values")
        LUTGenerator.forEachChunk(valueCount, threads: threads) { values in
            var decoder = LUTScheme.Decoder(scheme)
            var row = [Float](repeating: 0, count: featureCount)
            var rawFields = [Int](repeating: 0, count: scheme.fields.count)
            for value in values {
                let localAddress = UInt64(value) << UInt64(shift)
                for (index, field) in scheme.fields.enumerated() {
                    rawFields[index] = Int(truncatingIfNeeded: (localAddress >> UInt64(field.offset)) & ((UInt64(1) << UInt64(field.width)) - 1))
                }
                row.withUnsafeMutableBufferPointer { rowBuffer in
                    guard let rowPointer = rowBuffer.baseAddress else { return }
                    decoder.decode(raw: rawFields, into: rowPointer)
                }
                for feature in 0..<featureCount { inputs.pointer[feature * valueCount + value] = row[feature] }
            }
        }
        return inputs
    }
}
