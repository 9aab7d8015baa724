import TrigMLCore

/// The members of a `tml_jet_batch` as they arrive (the C ABI layer copies
/// them out of the C struct; nothing is checked yet). Names in messages are
/// the C members'.
package struct JetBatchColumns {
    package var jetCount: UInt64 = 0
    package var jetFeatureCount: UInt64 = 0
    package var jetFeatures: UnsafePointer<Float>?
    package var constituentOffsets: UnsafePointer<UInt64>?
    package var constituentCount: UInt64 = 0
    package var constituentFeatureCount: UInt64 = 0
    package var constituentFeatures: UnsafePointer<Float>?

    package init() {}
}

/// A `tml_jet_batch` whose pointers, counts and CSR offsets have been
/// checked against a model, so scoring reads it without bounds checks.
///
/// Shape and index errors fail here, before any output is written (the
/// contract's rule); non-finite feature values are not errors (they give
/// NaN outputs for their jet).
package struct JetBatch {
    package let jetCount: Int
    package let jetFeatureCount: Int
    package let constituentCount: Int
    package let constituentFeatureCount: Int
    let jetFeatures: UnsafePointer<Float>
    let constituentFeatures: UnsafePointer<Float>
    /// Offsets converted to Int after checking (n_jets + 1 entries); empty
    /// for a batch read for an MLP. Copied, so a caller thread changing
    /// its array mid-call cannot move a read out of bounds; sized by the
    /// caller's n_jets, so a checked allocation (ARCHITECTURE.md "Memory").
    let offsets: CheckedBuffer<Int>

    /// Never dereferenced: every read of an empty or unused column is
    /// excluded by the counts.
    private static let nothing: UnsafeMutablePointer<Float> = .allocate(capacity: 1)

    /// Reads the batch for a model that takes `jetFeatures` jet-level
    /// features and, when `constituentFeatures` is non-nil, constituents
    /// with that many features each.
    package init(_ b: JetBatchColumns, jetFeatures expectedJet: Int,
                constituentFeatures expectedConstituent: Int?) throws {
        jetCount = try checkedCount(b.jetCount, elementBytes: 8, what: "n_jets")
        guard b.jetFeatureCount == UInt64(expectedJet) else {
            throw TMLError.shape("tml_jet_batch.jet_feature_count = \(b.jetFeatureCount) but the model reads \(expectedJet) jet features")
        }
        jetFeatureCount = expectedJet
        _ = try checkedCount(b.jetCount, elementBytes: 4, perItem: UInt64(max(expectedJet, 1)), what: "n_jets x jet_feature_count")
        if let p = b.jetFeatures {
            jetFeatures = p
        } else if jetCount == 0 || expectedJet == 0 {
            jetFeatures = UnsafePointer(Self.nothing)
        } else {
            throw TMLError.invalid("tml_jet_batch.jet_features is NULL but n_jets = \(jetCount) and jet_feature_count = \(expectedJet)")
        }

        guard let expectedConstituent else {
            // An MLP never reads the constituent members.
            constituentCount = 0
            constituentFeatureCount = 0
            constituentFeatures = UnsafePointer(Self.nothing)
            offsets = try CheckedBuffer<Int>(count: 0, initial: 0, what: "no constituent offsets")
            return
        }
        guard b.constituentFeatureCount == UInt64(expectedConstituent) else {
            throw TMLError.shape("tml_jet_batch.constituent_feature_count = \(b.constituentFeatureCount) but the model reads \(expectedConstituent) constituent features")
        }
        constituentFeatureCount = expectedConstituent
        constituentCount = try checkedCount(b.constituentCount, elementBytes: 4,
                                            perItem: UInt64(max(expectedConstituent, 1)),
                                            what: "n_constituents x constituent_feature_count")
        guard let rawOffsets = b.constituentOffsets else {
            if jetCount == 0 {
                offsets = try CheckedBuffer<Int>(count: 1, initial: 0, what: "one constituent offset")
                constituentFeatures = b.constituentFeatures ?? UnsafePointer(Self.nothing)
                return
            }
            throw TMLError.invalid("tml_jet_batch.constituent_offsets is NULL; a Deep Sets tagger needs n_jets + 1 CSR offsets")
        }
        let checked = try CheckedBuffer<Int>(count: jetCount + 1, initial: 0,
                                             what: "the constituent offsets of \(jetCount) jets")
        let limit = UInt64(constituentCount)
        var previous: UInt64 = 0
        for j in 0...jetCount {
            let o = rawOffsets[j]
            if o > limit {
                throw TMLError.invalid("constituent_offsets[\(j)] = \(o) is past n_constituents = \(constituentCount)")
            }
            if j > 0 && o < previous {
                throw TMLError.invalid("constituent_offsets are not monotone: [\(j - 1)] = \(previous) > [\(j)] = \(o)")
            }
            previous = o
            checked[j] = Int(o)
        }
        offsets = checked
        let used = checked[jetCount] - checked[0]
        if let p = b.constituentFeatures {
            constituentFeatures = p
        } else if used == 0 || expectedConstituent == 0 {
            constituentFeatures = UnsafePointer(Self.nothing)
        } else {
            throw TMLError.invalid("tml_jet_batch.constituent_features is NULL but the jets own \(used) constituents")
        }
    }
}
