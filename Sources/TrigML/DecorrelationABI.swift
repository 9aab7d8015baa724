import CTrigML
import TrigMLCore
import TrigMLDecorrelation

// Mass-decorrelation entry points: argument checks and handles only; DDT
// maps, quantiles and the sculpting metrics are in TrigMLDecorrelation.

// MARK: DDT maps

@_cdecl("tml_ddt_config_init")
public func tml_ddt_config_init(_ config: UnsafeMutablePointer<tml_ddt_config>?, _ q: Double) -> Int32 {
    guarded("tml_ddt_config_init") {
        guard let config else { throw TMLError.invalid("cfg is NULL") }
        config.pointee = try DDTSettings.defaults(backgroundEfficiency: q).cStruct
    }
}

@_cdecl("tml_ddt_build")
public func tml_ddt_build(_ n: UInt64, _ score: UnsafePointer<Float>?, _ mass: UnsafePointer<Float>?,
                          _ pt: UnsafePointer<Float>?, _ weight: UnsafePointer<Float>?,
                          _ config: UnsafePointer<tml_ddt_config>?,
                          _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    guarded("tml_ddt_build") {
        guard let out else { throw TMLError.invalid("out is NULL") }
        out.pointee = nil
        let settings = try DDTSettings(config)
        let count = try checkedCount(n, elementBytes: 16, what: "n")
        guard count > 0 else { throw TMLError.invalid("n = 0: a DDT map needs background jets") }
        guard let score else { throw TMLError.invalid("score is NULL") }
        guard let mass else { throw TMLError.invalid("mass is NULL") }
        guard let pt else { throw TMLError.invalid("pt is NULL") }
        let map = try DDTMap.build(count: count, score: score, mass: mass, pt: pt, weight: weight, settings: settings,
                                   provenance: "tml_ddt_build from \(count) background jets")
        out.pointee = makeHandle(map)
    }
}

@_cdecl("tml_ddt_apply")
public func tml_ddt_apply(_ map: OpaquePointer?, _ n: UInt64, _ score: UnsafePointer<Float>?,
                          _ mass: UnsafePointer<Float>?, _ pt: UnsafePointer<Float>?,
                          _ out: UnsafeMutablePointer<Float>?) -> Int32 {
    guarded("tml_ddt_apply") {
        let m = try object(map, as: DDTMap.self, "map")
        let count = try checkedCount(n, elementBytes: 4, perItem: 4, what: "n")
        guard count > 0,
              let score = try input(score, "score", count: count),
              let mass = try input(mass, "mass", count: count),
              let pt = try input(pt, "pt", count: count) else { return }
        guard let out else { throw TMLError.invalid("out is NULL but n = \(count)") }
        try m.apply(count: count, score: score, mass: mass, pt: pt, out: out)
    }
}

@_cdecl("tml_ddt_save")
public func tml_ddt_save(_ map: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    guarded("tml_ddt_save") {
        let m = try object(map, as: DDTMap.self, "map")
        guard let path else { throw TMLError.invalid("path is NULL") }
        try m.save(path: String(cString: path))
    }
}

@_cdecl("tml_ddt_load")
public func tml_ddt_load(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    loadHandle("tml_ddt_load", path, "path", out) { try DDTMap.load(path: $0) }
}

@_cdecl("tml_ddt_free")
public func tml_ddt_free(_ map: OpaquePointer?) { release(map) }

// MARK: metrics

@_cdecl("tml_metric_r50_jsd")
public func tml_metric_r50_jsd(_ n: UInt64, _ score: UnsafePointer<Float>?, _ isSignal: UnsafePointer<UInt8>?,
                               _ mass: UnsafePointer<Float>?, _ weight: UnsafePointer<Float>?,
                               _ rejection: UnsafeMutablePointer<Double>?,
                               _ inverseJSD: UnsafeMutablePointer<Double>?) -> Int32 {
    guarded("tml_metric_r50_jsd") {
        guard let rejection else { throw TMLError.invalid("rejection is NULL") }
        guard let inverseJSD else { throw TMLError.invalid("inverse_jsd is NULL") }
        let count = try checkedCount(n, elementBytes: 16, what: "n")
        guard count > 0 else { throw TMLError.invalid("n = 0: the metric needs signal and background jets") }
        guard let score else { throw TMLError.invalid("score is NULL") }
        guard let isSignal else { throw TMLError.invalid("is_signal is NULL") }
        guard let mass else { throw TMLError.invalid("mass is NULL") }
        let (r, j) = try SculptingMetrics.r50InverseJSD(count: count, score: score, isSignal: isSignal,
                                                       mass: mass, weight: weight)
        rejection.pointee = r
        inverseJSD.pointee = j
    }
}
