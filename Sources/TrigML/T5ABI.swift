import CTrigML
import TrigMLCore
import TrigMLT5

// T5 scoring entry points: argument checks and handles only; the physics is
// in TrigMLT5. Every check (batch, columns, working point, outputs) runs
// before anything is written.

@_cdecl("tml_t5_model_default")
public func tml_t5_model_default(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded("tml_t5_model_default") {
        guard let out else { throw TMLError.invalid("out is NULL") }
        out.pointee = nil
        out.pointee = makeHandle(try T5Model.makeDefault())
    }
}

@_cdecl("tml_t5_model_load")
public func tml_t5_model_load(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    loadHandle("tml_t5_model_load", path, "path", out) { try T5Model.load(path: $0) }
}

@_cdecl("tml_t5_model_free")
public func tml_t5_model_free(_ model: OpaquePointer?) { release(model) }

@_cdecl("tml_t5_model_input_count")
public func tml_t5_model_input_count(_ model: OpaquePointer?) -> Int32 {
    countOf(model, as: T5Model.self, "model") { $0.inputCount }
}

@_cdecl("tml_t5_features")
public func tml_t5_features(_ model: OpaquePointer?, _ batch: UnsafePointer<tml_t5_batch>?,
                            _ features: UnsafeMutablePointer<Float>?) -> Int32 {
    guarded("tml_t5_features") { try t5Features(model, batch, nil, features) }
}

@_cdecl("tml_t5_score")
public func tml_t5_score(_ model: OpaquePointer?, _ batch: UnsafePointer<tml_t5_batch>?,
                         _ score: UnsafeMutablePointer<Float>?, _ pass: UnsafeMutablePointer<UInt8>?) -> Int32 {
    if let model, let batch, let score, t5ScoreFew(model, batch, score, pass) { return 0 }
    return guarded("tml_t5_score") { try t5Score(model, batch, nil, 0, score, pass, nil) }
}

/// A host scoring a few candidates per call (T5FewCandidates): true when
/// that path took the call and wrote every output; false (nothing written)
/// sends the call to the general path, which checks it again and names any
/// problem. The handle's class is compared by its metadata pointer, the
/// first word of every Swift object (T5Model is final), so this takes no
/// reference and no dynamic cast; another kind of handle is the general
/// path's error. Only a T5Model made by a guarded call exists, so a refused
/// TRIGML_ISA never gets here.
@inline(__always)
func t5ScoreFew(_ model: OpaquePointer, _ batch: UnsafePointer<tml_t5_batch>, _ score: UnsafeMutablePointer<Float>,
                _ pass: UnsafeMutablePointer<UInt8>?) -> Bool {
    let object = UnsafeRawPointer(model)
    guard object.load(as: UnsafeRawPointer.self) == unsafeBitCast(T5Model.self, to: UnsafeRawPointer.self) else {
        return false
    }
    return Unmanaged<T5Model>.fromOpaque(object)._withUnsafeGuaranteedRef { m in
        m.few?.score(T5BatchColumns(batch), score, pass) ?? false
    }
}

@_cdecl("tml_t5_model_class_count")
public func tml_t5_model_class_count(_ model: OpaquePointer?) -> Int32 {
    countOf(model, as: T5Model.self, "model") { $0.head.classCount }
}

@_cdecl("tml_t5_model_embedding_dim")
public func tml_t5_model_embedding_dim(_ model: OpaquePointer?) -> Int32 {
    countOf(model, as: T5Model.self, "model") { $0.head.embeddingDimension }
}

@_cdecl("tml_t5_model_working_point_count")
public func tml_t5_model_working_point_count(_ model: OpaquePointer?) -> Int32 {
    countOf(model, as: T5Model.self, "model") { $0.workingPoints.count }
}

@_cdecl("tml_t5_model_working_point_name")
public func tml_t5_model_working_point_name(_ model: OpaquePointer?, _ index: Int32) -> UnsafePointer<CChar>? {
    guard let m = try? object(model, as: T5Model.self, "model"),
          index >= 0, Int(index) < m.workingPointCNames.count else { return nil }
    return UnsafePointer(m.workingPointCNames[Int(index)])
}

@_cdecl("tml_t5_features_ex")
public func tml_t5_features_ex(_ model: OpaquePointer?, _ batch: UnsafePointer<tml_t5_batch>?,
                               _ columns: UnsafePointer<tml_t5_columns>?,
                               _ features: UnsafeMutablePointer<Float>?) -> Int32 {
    guarded("tml_t5_features_ex") { try t5Features(model, batch, columns, features) }
}

@_cdecl("tml_t5_score_ex")
public func tml_t5_score_ex(_ model: OpaquePointer?, _ batch: UnsafePointer<tml_t5_batch>?,
                            _ columns: UnsafePointer<tml_t5_columns>?, _ workingPoint: Int32,
                            _ score: UnsafeMutablePointer<Float>?, _ pass: UnsafeMutablePointer<UInt8>?,
                            _ probabilities: UnsafeMutablePointer<Float>?) -> Int32 {
    guarded("tml_t5_score_ex") { try t5Score(model, batch, columns, workingPoint, score, pass, probabilities) }
}

@_cdecl("tml_t5_embed")
public func tml_t5_embed(_ model: OpaquePointer?, _ batch: UnsafePointer<tml_t5_batch>?,
                         _ columns: UnsafePointer<tml_t5_columns>?,
                         _ embedding: UnsafeMutablePointer<Float>?) -> Int32 {
    guarded("tml_t5_embed") {
        let m = try object(model, as: T5Model.self, "model")
        guard m.head.isEmbedding else {
            throw TMLError.unsupported("the model is not an embedding model (class count \(m.head.classCount)); use tml_t5_score_ex")
        }
        let (b, view) = try t5Arguments(m, batch, columns)
        if b.t5Count == 0 { return }
        guard let embedding else { throw TMLError.invalid("embedding is NULL but n_t5 = \(b.t5Count)") }
        try m.evaluate(b, view, into: T5Outputs(embedding: embedding))
    }
}

/// The checked batch and host columns of a T5 call on model `m`.
func t5Arguments(_ m: T5Model, _ batch: UnsafePointer<tml_t5_batch>?,
                 _ columns: UnsafePointer<tml_t5_columns>?) throws -> (T5Batch, T5ColumnView) {
    let b = try T5Batch(T5BatchColumns(batch), featureSet: m.featureSet)
    return (b, try T5ColumnView(T5HostColumns.from(columns), batch: b, model: m))
}

func t5Features(_ model: OpaquePointer?, _ batch: UnsafePointer<tml_t5_batch>?,
                _ columns: UnsafePointer<tml_t5_columns>?, _ features: UnsafeMutablePointer<Float>?) throws {
    let m = try object(model, as: T5Model.self, "model")
    let (b, view) = try t5Arguments(m, batch, columns)
    if b.t5Count == 0 { return }
    guard let features else { throw TMLError.invalid("features is NULL but n_t5 = \(b.t5Count)") }
    try m.features(b, view, into: features)
}

func t5Score(_ model: OpaquePointer?, _ batch: UnsafePointer<tml_t5_batch>?,
             _ columns: UnsafePointer<tml_t5_columns>?, _ workingPoint: Int32,
             _ score: UnsafeMutablePointer<Float>?, _ pass: UnsafeMutablePointer<UInt8>?,
             _ probabilities: UnsafeMutablePointer<Float>?) throws {
    let m = try object(model, as: T5Model.self, "model")
    if m.head.isEmbedding {
        throw TMLError.unsupported("the model is an embedding model (dimension \(m.head.embeddingDimension)): it has no score; use tml_t5_embed")
    }
    let (b, view) = try t5Arguments(m, batch, columns)
    guard workingPoint >= 0 && Int(workingPoint) < m.workingPoints.count else {
        let names = m.workingPoints.map(\.name).joined(separator: ", ")
        throw TMLError.invalid("working_point = \(workingPoint) is outside 0..\(m.workingPoints.count - 1) (the model's working points: \(names))")
    }
    if b.t5Count == 0 { return }
    guard let score else { throw TMLError.invalid("score is NULL but n_t5 = \(b.t5Count)") }
    try m.evaluate(b, view, workingPoint: Int(workingPoint),
               into: T5Outputs(score: score, pass: pass, probabilities: probabilities))
}
