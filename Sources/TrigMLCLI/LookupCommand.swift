import TrigMLCore
import TrigMLLUT

// `trigml lut lookup`: one address, field by field, to its word.

func lookupCommand(_ o: Options) throws {
    let ps = try parts(o)
    let p = ps[0]
    let conv = try PtConversion.preset(o.values["conversion"] ?? "emtf2017")
    guard let a = try o.uint("address") else { throw fail("--address is required") }
    guard p.scheme.contains(a) else { throw fail("address \(a) is outside scheme \(p.scheme.name)") }
    print("scheme \(p.scheme.name), address \(a) (0x\(String(a, radix: 16)))")
    let local = a - p.scheme.firstAddress
    for f in p.scheme.fields {
        print("  field \(f.name) [\(f.offset + f.width - 1):\(f.offset)] = \((local >> UInt64(f.offset)) & ((1 << UInt64(f.width)) - 1))")
    }
    var x = [Float](repeating: 0, count: p.scheme.featureCount)
    try [a].withUnsafeBufferPointer { try p.scheme.decode($0, into: &x) }
    for (n, v) in zip(p.scheme.inputNames, x) { print("  input \(n) = \(v)") }
    var word: UInt16 = 0
    var margin: Float = 0
    try [a].withUnsafeBufferPointer {
        try LUTGenerator.evaluate(scheme: p.scheme, forest: p.forest, conversion: conv, addresses: $0,
                                  words: &word, margins: &margin, threads: 1)
    }
    print("  BDT output \(margin) (exact sum rounded to float32)")
    print("  pT \(conv.pt(margin)) GeV (scaled)")
    print("  word \(word)")
}
