import CTrigML
import TrigMLCore
import TrigMLDecorrelation
import TrigMLLUT
import TrigMLT5
import TrigMLTagger

// Where C structs are converted: here, and only here.
//
// The rule for every capability: only this ABI layer (Sources/TrigML)
// imports CTrigML. It copies each C struct that crosses the ABI into a Swift
// value (`PtConversion`, `DDTSettings`) or into a view of its members
// (`T5BatchColumns`, `T5HostColumns`, `JetBatchColumns`: pointers and counts, zero-copy, so
// T5 and tagger scoring read the caller's arrays in place) and back for the
// calls that fill a C struct. The domain modules check what they receive
// and never see a C type. A NULL struct pointer is refused here, naming the
// argument; every other check, and its message, belongs to the domain.

extension T5BatchColumns {
    init(_ batch: UnsafePointer<tml_t5_batch>?) throws {
        guard let batch else { throw TMLError.invalid("tml_t5_batch pointer is NULL") }
        self.init(batch)
    }

    init(_ batch: UnsafePointer<tml_t5_batch>) {
        let b = batch.pointee
        self.init()
        (mdCount, t3Count, t5Count) = (b.n_md, b.n_t3, b.n_t5)
        (x, y, z, r, eta, phi) = (b.md_x, b.md_y, b.md_z, b.md_r, b.md_eta, b.md_phi)
        layer = b.md_layer
        (t3MD, t3Radius, t5T3) = (b.t3_md, b.t3_radius, b.t5_t3)
    }
}

extension T5HostColumns {
    /// nil for a NULL `cols` (no host columns).
    static func from(_ columns: UnsafePointer<tml_t5_columns>?) -> T5HostColumns? {
        guard let c = columns?.pointee else { return nil }
        var out = T5HostColumns()
        (out.mdCount, out.md) = (c.md_count, c.md)
        (out.t3Count, out.t3) = (c.t3_count, c.t3)
        (out.t5Count, out.t5) = (c.t5_count, c.t5)
        return out
    }
}

extension JetBatchColumns {
    init(_ batch: UnsafePointer<tml_jet_batch>?) throws {
        guard let b = batch?.pointee else { throw TMLError.invalid("tml_jet_batch pointer is NULL") }
        self.init()
        (jetCount, jetFeatureCount, jetFeatures) = (b.n_jets, b.jet_feature_count, b.jet_features)
        constituentOffsets = b.constituent_offsets
        (constituentCount, constituentFeatureCount, constituentFeatures) =
            (b.n_constituents, b.constituent_feature_count, b.constituent_features)
    }
}

extension PtConversion {
    /// Reads and checks a C conversion.
    init(_ conversion: UnsafePointer<tml_pt_conversion>?) throws {
        guard let c = conversion?.pointee else { throw TMLError.invalid("conversion is NULL") }
        guard let target = PtConversion.Target(rawValue: c.target) else {
            throw TMLError.invalid("conversion target = \(c.target); expected TML_PT_TARGET_INV_PT (0) or TML_PT_TARGET_LOG2_PT (1)")
        }
        self.init(target: target, outputFloor: c.output_floor, scaleNumerator: c.scale_numerator,
                  scaleSlope: c.scale_slope, scalePtCap: c.scale_pt_cap, wordPerGeV: c.word_per_gev,
                  wordOffset: c.word_offset, wordMax: c.word_max)
        try validate()
    }

    var cStruct: tml_pt_conversion {
        tml_pt_conversion(target: target.rawValue, output_floor: outputFloor, scale_numerator: scaleNumerator,
                          scale_slope: scaleSlope, scale_pt_cap: scalePtCap, word_per_gev: wordPerGeV,
                          word_offset: wordOffset, word_max: wordMax)
    }
}

extension DDTSettings {
    /// Reads and checks a C configuration.
    init(_ config: UnsafePointer<tml_ddt_config>?) throws {
        guard let c = config?.pointee else { throw TMLError.invalid("tml_ddt_config pointer is NULL") }
        let direction: Direction
        switch c.direction {
        case TML_DDT_HIGHER_PASSES: direction = .higherPasses
        case TML_DDT_LOWER_PASSES: direction = .lowerPasses
        default: throw TMLError.invalid("direction = \(c.direction) is not TML_DDT_HIGHER_PASSES or TML_DDT_LOWER_PASSES")
        }
        let empty: EmptyBins
        switch c.empty_bins {
        case TML_DDT_EMPTY_FILL: empty = .fill
        case TML_DDT_EMPTY_FAIL: empty = .fail
        default: throw TMLError.invalid("empty_bins = \(c.empty_bins) is not TML_DDT_EMPTY_FILL or TML_DDT_EMPTY_FAIL")
        }
        let smoothing: Smoothing
        switch c.smoothing {
        case TML_DDT_SMOOTHING_NONE: smoothing = .none
        case TML_DDT_SMOOTHING_KNN: smoothing = .knn
        default: throw TMLError.invalid("smoothing = \(c.smoothing) is not TML_DDT_SMOOTHING_NONE or TML_DDT_SMOOTHING_KNN")
        }
        guard c.min_entries >= 1 && c.min_entries <= UInt32(Int32.max) else {
            throw TMLError.invalid("min_entries = \(c.min_entries) is outside [1, 2^31 - 1]")
        }
        // An ABI 1.0 caller's struct (uint64_t min_entries) reads 0 here
        // whenever its min_entries was valid: the identity, as before
        // (include/trigml.h, "Layout").
        let transform: ScoreTransform
        switch c.score_transform {
        case TML_DDT_SCORE_IDENTITY: transform = .identity
        case TML_DDT_SCORE_LOGIT: transform = .logit
        default: throw TMLError.invalid("score_transform = \(c.score_transform) is not TML_DDT_SCORE_IDENTITY or TML_DDT_SCORE_LOGIT")
        }
        try self.init(backgroundEfficiency: c.background_efficiency,
                      rho: DDTAxis(min: c.rho_min, max: c.rho_max, bins: Int(c.rho_bins), name: "rho"),
                      pt: DDTAxis(min: c.pt_min, max: c.pt_max, bins: Int(c.pt_bins), name: "pt"),
                      minEntries: Int(c.min_entries), direction: direction, emptyBins: empty,
                      smoothing: smoothing, neighbours: Int(c.neighbours), scoreTransform: transform)
    }

    /// Member by member: the order of min_entries and score_transform in
    /// the header depends on the byte order, a memberwise initializer's
    /// argument order would too.
    var cStruct: tml_ddt_config {
        var c = tml_ddt_config()
        (c.background_efficiency, c.rho_min, c.rho_max) = (backgroundEfficiency, rho.min, rho.max)
        (c.pt_min, c.pt_max, c.min_entries) = (pt.min, pt.max, UInt32(minEntries))
        (c.rho_bins, c.pt_bins) = (Int32(rho.bins), Int32(pt.bins))
        c.direction = direction == .higherPasses ? TML_DDT_HIGHER_PASSES : TML_DDT_LOWER_PASSES
        c.empty_bins = emptyBins == .fill ? TML_DDT_EMPTY_FILL : TML_DDT_EMPTY_FAIL
        c.smoothing = smoothing == .none ? TML_DDT_SMOOTHING_NONE : TML_DDT_SMOOTHING_KNN
        c.neighbours = Int32(neighbours)
        c.score_transform = scoreTransform == .identity ? TML_DDT_SCORE_IDENTITY : TML_DDT_SCORE_LOGIT
        return c
    }
}
