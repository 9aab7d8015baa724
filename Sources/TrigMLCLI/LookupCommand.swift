import TrigMLCore
import TrigMLLUT

// `trigml lut lookup`: one address, field by field, to its word.

func lookupCommand(_ o: ParsedOptions) throws {
    let sources = try loadSources(o)
    let part = sources.parts[0]
    let conversion = try chosenConversion(o).conversion
    guard let address = try o.uint("address") else { throw fail("--address is required for 'trigml lut lookup'") }
    guard part.scheme.contains(address) else { throw fail("--address \(address) is outside scheme \(part.scheme.name)") }
    print("scheme \(part.scheme.name), address \(address) (0x\(String(address, radix: 16)))")
    let local = address - part.scheme.firstAddress
    for field in part.scheme.fields {
        print("  field \(field.name) [\(field.offset + field.width - 1):\(field.offset)] = \((local >> UInt64(field.offset)) & ((1 << UInt64(field.width)) - 1))")
    }
    var inputs = [Float](repeating: 0, count: part.scheme.featureCount)
    try [address].withUnsafeBufferPointer { try part.scheme.decode($0, into: &inputs) }
    for (name, value) in zip(part.scheme.inputNames, inputs) { print("  input \(name) = \(value)") }
    var word: UInt16 = 0
    var margin: Float = 0
    try [address].withUnsafeBufferPointer {
        try LUTGenerator.evaluate(scheme: part.scheme, forest: part.forest, conversion: conversion, addresses: $0,
                                  words: &word, margins: &margin, threads: 1)
    }
    print("  BDT output \(margin) (exact sum rounded to float32)")
    print("  pT \(conversion.pt(margin)) GeV (scaled)")
    print("  word \(word)")
}
