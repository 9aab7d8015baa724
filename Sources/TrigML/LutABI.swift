import CTrigML
import TrigMLCore
import TrigMLForest
import TrigMLLUT

// LUT entry points: argument checks and handles only; schemes, conversion
// and generation are in TrigMLLUT.

@_cdecl("tml_lut_scheme_preset")
public func tml_lut_scheme_preset(_ name: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    loadHandle("tml_lut_scheme_preset", name, "name", out) { try LUTScheme.preset($0) }
}

@_cdecl("tml_lut_scheme_load")
public func tml_lut_scheme_load(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    loadHandle("tml_lut_scheme_load", path, "path", out) { try LUTScheme.load(path: $0) }
}

@_cdecl("tml_lut_scheme_free")
public func tml_lut_scheme_free(_ scheme: OpaquePointer?) { release(scheme) }

@_cdecl("tml_lut_scheme_first_address")
public func tml_lut_scheme_first_address(_ scheme: OpaquePointer?) -> UInt64 {
    (try? object(scheme, as: LUTScheme.self, "scheme"))?.firstAddress ?? 0
}

@_cdecl("tml_lut_scheme_address_count")
public func tml_lut_scheme_address_count(_ scheme: OpaquePointer?) -> UInt64 {
    (try? object(scheme, as: LUTScheme.self, "scheme"))?.addressCount ?? 0
}

@_cdecl("tml_lut_scheme_feature_count")
public func tml_lut_scheme_feature_count(_ scheme: OpaquePointer?) -> Int32 {
    countOf(scheme, as: LUTScheme.self, "scheme") { $0.featureCount }
}

@_cdecl("tml_lut_scheme_feature_name")
public func tml_lut_scheme_feature_name(_ scheme: OpaquePointer?, _ index: Int32) -> UnsafePointer<CChar>? {
    guard let s = try? object(scheme, as: LUTScheme.self, "scheme"),
          index >= 0, Int(index) < s.inputNameCStrings.count else { return nil }
    return UnsafePointer(s.inputNameCStrings[Int(index)])
}

@_cdecl("tml_lut_decode")
public func tml_lut_decode(_ scheme: OpaquePointer?, _ n: UInt64, _ address: UnsafePointer<UInt64>?,
                           _ features: UnsafeMutablePointer<Float>?) -> Int32 {
    guarded("tml_lut_decode") {
        let s = try object(scheme, as: LUTScheme.self, "scheme")
        let count = try checkedCount(n, elementBytes: 4, perItem: UInt64(s.featureCount), what: "n")
        if count == 0 { return }
        guard let address else { throw TMLError.invalid("address is NULL but n = \(n)") }
        guard let features else { throw TMLError.invalid("features is NULL but n = \(n)") }
        try s.decode(UnsafeBufferPointer(start: address, count: count), into: features)
    }
}

/// The handles, conversion and thread count of `tml_lut_generate` and
/// `tml_lut_evaluate`, checked in the documented order.
func lutArguments(_ scheme: OpaquePointer?, _ forest: OpaquePointer?, _ conversion: UnsafePointer<tml_pt_conversion>?,
                  _ nThreads: Int32) throws -> (LUTScheme, Forest, PtConversion) {
    let s = try object(scheme, as: LUTScheme.self, "scheme")
    let f = try object(forest, as: Forest.self, "forest")
    let c = try PtConversion(conversion)
    guard nThreads >= 0 else { throw TMLError.invalid("n_threads = \(nThreads) is negative (0 means all cores)") }
    return (s, f, c)
}

@_cdecl("tml_pt_conversion_preset")
public func tml_pt_conversion_preset(_ name: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<tml_pt_conversion>?) -> Int32 {
    guarded("tml_pt_conversion_preset") {
        guard let out else { throw TMLError.invalid("out is NULL") }
        guard let name else { throw TMLError.invalid("name is NULL") }
        out.pointee = try PtConversion.preset(String(cString: name)).cStruct
    }
}

@_cdecl("tml_lut_generate")
public func tml_lut_generate(_ scheme: OpaquePointer?, _ forest: OpaquePointer?,
                             _ conv: UnsafePointer<tml_pt_conversion>?, _ first: UInt64, _ count: UInt64,
                             _ out: UnsafeMutablePointer<UInt16>?, _ nThreads: Int32) -> Int32 {
    guarded("tml_lut_generate") {
        let (s, f, c) = try lutArguments(scheme, forest, conv, nThreads)
        _ = try checkedCount(count, elementBytes: 2, what: "count")
        if count > 0 && out == nil { throw TMLError.invalid("out is NULL but count = \(count)") }
        // Shape and range before the LUT form's own error (a non-finite
        // leaf), in the documented order (`generate` repeats this O(1)
        // check for its other callers).
        try LUTGenerator.checkRange(s, f, first: first, count: count)
        guard let out else { return }
        try LUTGenerator.generate(scheme: s, forest: f.lutForm(), conversion: c, first: first, count: count,
                                  out: out, threads: Int(nThreads))
    }
}

@_cdecl("tml_lut_evaluate")
public func tml_lut_evaluate(_ scheme: OpaquePointer?, _ forest: OpaquePointer?,
                             _ conv: UnsafePointer<tml_pt_conversion>?, _ n: UInt64,
                             _ address: UnsafePointer<UInt64>?, _ words: UnsafeMutablePointer<UInt16>?,
                             _ margins: UnsafeMutablePointer<Float>?, _ nThreads: Int32) -> Int32 {
    guarded("tml_lut_evaluate") {
        let (s, f, c) = try lutArguments(scheme, forest, conv, nThreads)
        let count = try checkedCount(n, elementBytes: 8, what: "n")
        if count == 0 { return }
        guard let address else { throw TMLError.invalid("address is NULL but n = \(n)") }
        // The Forest form checks the input names before building the LUT form.
        try LUTGenerator.evaluate(scheme: s, forest: f, conversion: c,
                                  addresses: UnsafeBufferPointer(start: address, count: count),
                                  words: words, margins: margins, threads: Int(nThreads))
    }
}
