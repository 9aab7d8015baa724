import CTrigML
import TrigMLCore
import TrigMLTagger

// Decorrelated-tagger entry points: argument checks and handles only; the
// taggers and the discriminant are in TrigMLTagger.

// MARK: taggers

@_cdecl("tml_tagger_load")
public func tml_tagger_load(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    loadHandle("tml_tagger_load", path, "path", out) { try TaggerModel.load(path: $0) }
}

@_cdecl("tml_tagger_free")
public func tml_tagger_free(_ tagger: OpaquePointer?) { release(tagger) }

@_cdecl("tml_tagger_output_count")
public func tml_tagger_output_count(_ tagger: OpaquePointer?) -> Int32 {
    countOf(tagger, as: TaggerModel.self, "tagger") { $0.outputCount }
}

@_cdecl("tml_tagger_jet_feature_count")
public func tml_tagger_jet_feature_count(_ tagger: OpaquePointer?) -> Int32 {
    countOf(tagger, as: TaggerModel.self, "tagger") { $0.jetFeatureCount }
}

@_cdecl("tml_tagger_constituent_feature_count")
public func tml_tagger_constituent_feature_count(_ tagger: OpaquePointer?) -> Int32 {
    countOf(tagger, as: TaggerModel.self, "tagger") { $0.constituentFeatureCount }
}

@_cdecl("tml_tagger_score")
public func tml_tagger_score(_ tagger: OpaquePointer?, _ batch: UnsafePointer<tml_jet_batch>?,
                             _ out: UnsafeMutablePointer<Float>?) -> Int32 {
    guarded("tml_tagger_score") {
        let t = try object(tagger, as: TaggerModel.self, "tagger")
        let b = try JetBatch(JetBatchColumns(batch), jetFeatures: t.jetFeatureCount,
                             constituentFeatures: t.kind == .deepSets ? t.constituentFeatureCount : nil)
        if b.jetCount == 0 { return }
        _ = try checkedCount(UInt64(b.jetCount), elementBytes: 4, perItem: UInt64(t.outputCount), what: "n_jets x output_count")
        guard let out else { throw TMLError.invalid("out is NULL but n_jets = \(b.jetCount)") }
        try t.score(b, into: out)
    }
}

// MARK: discriminant

@_cdecl("tml_discriminant_log_ratio")
public func tml_discriminant_log_ratio(_ n: UInt64, _ nClasses: Int32, _ prob: UnsafePointer<Float>?,
                                       _ signalClass: Int32, _ fractions: UnsafePointer<Float>?,
                                       _ out: UnsafeMutablePointer<Float>?) -> Int32 {
    guarded("tml_discriminant_log_ratio") {
        guard nClasses >= 2 && nClasses <= 1 << 16 else {
            throw TMLError.invalid("n_classes = \(nClasses) is outside [2, 65536]")
        }
        guard let fractions else { throw TMLError.invalid("background_fractions is NULL") }
        let classes = Int(nClasses)
        let d = try LogRatioDiscriminant(classCount: classes, signalClass: Int(signalClass),
                                         fractions: Array(UnsafeBufferPointer(start: fractions, count: classes)))
        let rows = try checkedCount(n, elementBytes: 4, perItem: UInt64(classes), what: "n")
        if rows == 0 { return }
        guard let prob else { throw TMLError.invalid("prob is NULL but n = \(rows)") }
        guard let out else { throw TMLError.invalid("out is NULL but n = \(rows)") }
        d.evaluate(rows: rows, prob: prob, out: out)
    }
}
