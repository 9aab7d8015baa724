import TrigMLCore
import TrigMLLUT

// The pT conversion of a command: a preset (--conversion), or a strict
// conversion file (--conversion-file, the same object a sidecar records),
// then any member overridden on the command line (--target, --word-max ...).
// A log2-pT forest on Run-2 variables needs the 2017 scale, which no preset
// combines, so every member can be set.

/// A conversion and where it came from (for the sidecar).
struct ChosenConversion {
    var conversion: PtConversion
    var source: String
}

enum ConversionMember: String, CaseIterable {
    case target, outputFloor = "output_floor", scaleNumerator = "scale_numerator", scaleSlope = "scale_slope"
    case scalePtCap = "scale_pt_cap", wordPerGeV = "word_per_gev", wordOffset = "word_offset", wordMax = "word_max"

    /// The command-line override.
    var option: String { rawValue.replacingUnderscores() }
}

extension String {
    func replacingUnderscores() -> String { String(map { $0 == "_" ? "-" : $0 }) }
}

func targetName(_ target: PtConversion.Target) -> String { target == .inversePt ? "inv_pt" : "log2_pt" }

func parseTarget(_ text: String, _ what: String) throws -> PtConversion.Target {
    switch text {
    case "inv_pt": return .inversePt
    case "log2_pt": return .log2Pt
    default:
        let hint = nearestName(to: text, among: ["inv_pt", "log2_pt"]).map { "; did you mean '\($0)'?" } ?? ""
        throw fail("\(what) '\(text)' is not inv_pt or log2_pt\(hint)")
    }
}

/// True when the command line names a conversion in any way.
func conversionGiven(_ options: ParsedOptions) -> Bool {
    options.has("conversion") || options.has("conversion-file") || ConversionMember.allCases.contains { options.has($0.option) }
}

func chosenConversion(_ options: ParsedOptions, default preset: String = "emtf2017") throws -> ChosenConversion {
    try options.exclusive(["conversion", "conversion-file"])
    var chosen: ChosenConversion
    if let path = options.optional("conversion-file") {
        chosen = ChosenConversion(conversion: try conversionFromFile(path),
                                  source: "file \(path) (SHA-256 \(try fileSHA256(path)))")
    } else {
        let name = options.optional("conversion") ?? preset
        do {
            chosen = ChosenConversion(conversion: try PtConversion.preset(name), source: "preset \(name)")
        } catch {
            let hint = nearestName(to: name, among: ["emtf2017", "emtf2022"]).map { "; did you mean '\($0)'?" } ?? ""
            throw fail("--conversion '\(name)' is not a preset (emtf2017, emtf2022)\(hint)")
        }
    }
    var overridden: [String] = []
    for member in ConversionMember.allCases {
        guard let text = options.optional(member.option) else { continue }
        overridden.append("--\(member.option) \(text)")
        if member == .target {
            chosen.conversion.target = try parseTarget(text, "--target")
        } else if member == .wordMax {
            guard let value = parseUnsigned(text), value <= 65535 else {
                throw fail("--word-max '\(text)' is not an integer in [0, 65535]")
            }
            chosen.conversion.wordMax = UInt32(value)
        } else {
            guard let value = try options.double(member.option) else { continue }
            set(member, value, &chosen.conversion)
        }
    }
    if !overridden.isEmpty { chosen.source += " with " + overridden.joined(separator: " ") }
    do { try chosen.conversion.validate() } catch let error as TMLError { throw fail(error.message) }
    return chosen
}

func set(_ member: ConversionMember, _ value: Double, _ conversion: inout PtConversion) {
    switch member {
    case .outputFloor: conversion.outputFloor = value
    case .scaleNumerator: conversion.scaleNumerator = value
    case .scaleSlope: conversion.scaleSlope = value
    case .scalePtCap: conversion.scalePtCap = value
    case .wordPerGeV: conversion.wordPerGeV = value
    case .wordOffset: conversion.wordOffset = value
    case .target, .wordMax: break
    }
}

/// The JSON object of a conversion: every member, and its source.
func conversionJSON(_ chosen: ChosenConversion) -> String {
    let c = chosen.conversion
    return "{\"source\": \(jsonString(chosen.source)), \"target\": \"\(targetName(c.target))\", "
        + "\"output_floor\": \(jsonNumber(c.outputFloor)), \"scale_numerator\": \(jsonNumber(c.scaleNumerator)), "
        + "\"scale_slope\": \(jsonNumber(c.scaleSlope)), \"scale_pt_cap\": \(jsonNumber(c.scalePtCap)), "
        + "\"word_per_gev\": \(jsonNumber(c.wordPerGeV)), \"word_offset\": \(jsonNumber(c.wordOffset)), "
        + "\"word_max\": \(c.wordMax)}"
}

/// Reads a conversion object (strict): optional "preset" to start from and
/// "source" (free text); every member not taken from a preset is required.
func conversionFromNode(_ node: JSONNode) throws -> ChosenConversion {
    try node.allowOnly(["source", "preset"] + ConversionMember.allCases.map(\.rawValue))
    var conversion: PtConversion
    if let presetNode = try node.optionalMember("preset") {
        conversion = try PtConversion.preset(try presetNode.string())
    } else {
        conversion = PtConversion(target: .inversePt, outputFloor: 0, scaleNumerator: 0, scaleSlope: 0,
                                  scalePtCap: 0, wordPerGeV: 0, wordOffset: 0, wordMax: 0)
    }
    let fromPreset = node.has("preset")
    for member in ConversionMember.allCases {
        guard let memberNode = fromPreset ? try node.optionalMember(member.rawValue) : try node.member(member.rawValue) else { continue }
        switch member {
        case .target: conversion.target = try parseTarget(try memberNode.string(), memberNode.path)
        case .wordMax: conversion.wordMax = UInt32(try memberNode.int(min: 0, max: 65535))
        default: set(member, try memberNode.finiteDouble(), &conversion)
        }
    }
    let source = try node.optionalMember("source")?.string() ?? "conversion object"
    return ChosenConversion(conversion: conversion, source: source)
}

func conversionFromFile(_ path: String) throws -> PtConversion {
    try conversionFromNode(try JSONNode.load(file: path)).conversion
}

/// "emtf2017 ... target inv_pt, word_max 511" for messages.
func describe(_ c: PtConversion) -> String {
    "target \(targetName(c.target)), output_floor \(c.outputFloor), scale_numerator \(c.scaleNumerator), "
        + "scale_slope \(c.scaleSlope), scale_pt_cap \(c.scalePtCap), word_per_gev \(c.wordPerGeV), "
        + "word_offset \(c.wordOffset), word_max \(c.wordMax)"
}
