import CTrigML
import TrigMLCore
import TrigMLT5

// T5 scoring entry points: argument checks and handles only; the physics is
// in TrigMLT5.

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
    countOf(model, as: T5Model.self, "model") { $0.featureSet.inputCount }
}

@_cdecl("tml_t5_features")
public func tml_t5_features(_ model: OpaquePointer?, _ batch: UnsafePointer<tml_t5_batch>?,
                            _ features: UnsafeMutablePointer<Float>?) -> Int32 {
    guarded("tml_t5_features") {
        let m = try object(model, as: T5Model.self, "model")
        let b = try T5Batch(T5BatchColumns(batch), featureSet: m.featureSet)
        if b.t5Count == 0 { return }
        guard let features else { throw TMLError.invalid("features is NULL but n_t5 = \(b.t5Count)") }
        m.features(b, into: features)
    }
}

@_cdecl("tml_t5_score")
public func tml_t5_score(_ model: OpaquePointer?, _ batch: UnsafePointer<tml_t5_batch>?,
                         _ score: UnsafeMutablePointer<Float>?, _ pass: UnsafeMutablePointer<UInt8>?) -> Int32 {
    guarded("tml_t5_score") {
        let m = try object(model, as: T5Model.self, "model")
        let b = try T5Batch(T5BatchColumns(batch), featureSet: m.featureSet)
        if b.t5Count == 0 { return }
        guard let score else { throw TMLError.invalid("score is NULL but n_t5 = \(b.t5Count)") }
        m.score(b, score: score, pass: pass)
    }
}
