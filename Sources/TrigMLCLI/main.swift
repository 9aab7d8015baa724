import TrigMLCore

// `trigml lut generate | verify | lookup` (docs/lut.md.
// SwiftPM builds this as `.build/release/trigml-cli` (the product name
// `trigml` belongs to the library, libtrigml.so); CMake installs it as
// `trigml`, and tools/trigml is a wrapper that runs it.

let usage = """
usage:
  trigml lut generate (--scheme NAME | --scheme-file PATH) --forest PATH
                      [--first A] [--count N] [--conversion emtf2017|emtf2022]
                      [--threads N] [--format u16|emtf64] --out FILE
  trigml lut generate --all-modes --forests DIR [--first A] [--count N] ...
                      (DIR holds mode15.json, mode14.json, ... one forest per mode;
                       addresses of missing modes and below 2^24 store the word of pt 0)
  trigml lut verify   (--scheme NAME | --scheme-file PATH | --all-modes --forests DIR)
                      [--forest PATH] --in FILE [--first A] [--format u16|emtf64]
                      [--conversion C] [--sample N | --full] [--seed S] [--threads N]
  trigml lut lookup   (--scheme NAME | --scheme-file PATH) --forest PATH --address A [--conversion C]

A sidecar FILE.json is written next to every generated FILE: scheme, forest
SHA-256, conversion, range, format, library version.
"""

let args = CommandLine.arguments
do {
    guard args.count >= 3, args[1] == "lut" else { print(usage); exit(args.count >= 2 && args[1] == "--help" ? 0 : 2) }
    let o = try Options(args[3...])
    switch args[2] {
    case "generate": try generateCommand(o)
    case "verify": try verifyCommand(o)
    case "lookup": try lookupCommand(o)
    default: print(usage); exit(2)
    }
} catch let e as Failure {
    fputs("trigml: \(e.message)\n", stderr); exit(2)
} catch let e as TMLError {
    fputs("trigml: \(e.message)\n", stderr); exit(2)
} catch {
    fputs("trigml: \(error)\n", stderr); exit(2)
}
