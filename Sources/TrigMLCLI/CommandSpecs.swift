// What each `trigml lut` subcommand accepts; `trigml --help` and
// `trigml lut <command> --help` print these lists.

enum Commands {
    static let schemeOptions = [
        OptionSpec(name: "scheme", value: "NAME", help: "preset address scheme (emtf2017-mode15 ... emtf2017-mode3)"),
        OptionSpec(name: "scheme-file", value: "PATH", help: "address scheme file (docs/formats/lut_scheme.md)"),
    ]
    static let forestOptions = [
        OptionSpec(name: "forest", value: "PATH", help: "XGBoost JSON or trigml.forest file for the scheme"),
        OptionSpec(name: "all-modes", value: nil, help: "every emtf2017 mode at once: the whole [0, 2^30) table"),
        OptionSpec(name: "forests", value: "DIR", help: "with --all-modes: DIR/mode15.json ... DIR/mode3.json"),
        OptionSpec(name: "allow-missing-modes", value: nil,
                   help: "with --all-modes: a missing mode file stores the word of pt 0 (else an error)"),
    ]
    static let conversionOptions = [
        OptionSpec(name: "conversion", value: "NAME",
                   help: "pT conversion preset: emtf2017 (1/pT target, default) or emtf2022 (log2 pT target)"),
        OptionSpec(name: "conversion-file", value: "PATH",
                   help: "pT conversion JSON (the sidecar's \"conversion\" object; docs/formats/lut_output.md)"),
        OptionSpec(name: "target", value: "inv_pt|log2_pt", help: "override: what the forest was trained on"),
        OptionSpec(name: "output-floor", value: "X", help: "override: lower clamp of the BDT output"),
        OptionSpec(name: "scale-numerator", value: "X", help: "override: pt = pt_xml * X / (1 - slope * min(pt_xml, cap))"),
        OptionSpec(name: "scale-slope", value: "X", help: "override: the slope of that scaling"),
        OptionSpec(name: "scale-pt-cap", value: "X", help: "override: the cap of that scaling"),
        OptionSpec(name: "word-per-gev", value: "X", help: "override: word = floor(X * pt + offset)"),
        OptionSpec(name: "word-offset", value: "X", help: "override: the offset of that encoding"),
        OptionSpec(name: "word-max", value: "N", help: "override: the largest word (511 for the 9-bit GMT pT)"),
    ]
    static let threadOption = OptionSpec(name: "threads", value: "N", help: "threads, 0 = all cores (default)")
    static let rangeOptions = [
        OptionSpec(name: "first", value: "A", help: "first address (decimal or 0x hex)"),
        OptionSpec(name: "count", value: "N", help: "number of addresses"),
    ]
    static let tableFormat = OptionSpec(name: "format", value: "u16|emtf64",
                                        help: "u16: one little-endian uint16 per address; emtf64: the EMTF firmware packing")

    /// What a table command reads: the schemes and forests, the range and
    /// the word format.
    static let tableOptions = schemeOptions + forestOptions + rangeOptions + [tableFormat]

    static func tableSynopsis(_ file: String) -> [String] {
        ["(--scheme NAME | --scheme-file PATH) --forest PATH \(file) FILE [options]",
         "--all-modes --forests DIR [--allow-missing-modes] \(file) FILE [options]"]
    }

    static let generate = CommandSpec(
        name: "lut generate",
        summary: "write the table of a range, its JSON sidecar, and a physics summary",
        synopsis: tableSynopsis("--out"),
        options: tableOptions + [
            OptionSpec(name: "out", value: "FILE", help: "the table; the sidecar is FILE.json"),
            threadOption,
            OptionSpec(name: "summary-sample", value: "N",
                       help: "addresses decoded for the median-word-per-dPhi summary (default 65536)"),
        ] + conversionOptions,
        notes: ["Range: the scheme's (all modes: [0, 2^30)) unless --first/--count narrow it; emtf64 needs multiples of 4.",
                "Outputs are written to a temporary file in FILE's directory and renamed when complete; on any",
                "failure or SIGINT/SIGTERM the temporary file is removed, so FILE is always a complete table.",
                "FILE and FILE.json may not be any input file (compared by resolved path and by device and inode).",
                "The summary warns when most words sit at the floor or ceiling word, or when the median word",
                "rises with |dPhi| (a forest whose target does not match the conversion)."])

    static let verify = CommandSpec(
        name: "lut verify",
        summary: "recompute a table file's words independently and compare",
        synopsis: tableSynopsis("--in"),
        options: tableOptions + [
            OptionSpec(name: "in", value: "FILE", help: "the table file to check"),
            OptionSpec(name: "sidecar", value: "PATH", help: "the sidecar (default FILE.json)"),
            OptionSpec(name: "sample", value: "N", help: "check N random addresses (default 1000000)"),
            OptionSpec(name: "seed", value: "S", help: "seed of the random addresses (default 12345)"),
            OptionSpec(name: "full", value: nil, help: "check every address of the file"),
            threadOption,
        ] + conversionOptions,
        notes: ["Range, format and conversion come from the sidecar unless given (a given value must equal it).",
                "Refused before checking: a forest or scheme whose SHA-256 differs from the sidecar's, a file",
                "whose length does not match the range, a range outside the scheme.",
                "Words are recomputed by decoding blocks of addresses, finding each tree's leaf with the",
                "forest evaluator (tml_forest_predict's) and summing the leaves exactly (the LUT rule):",
                "a path independent of the generator's tables. Exit 0: all equal; 1: some differ; 2: refused."])

    static let lookup = CommandSpec(
        name: "lut lookup",
        summary: "one address: fields, inputs, BDT output, pT and word",
        synopsis: ["(--scheme NAME | --scheme-file PATH) --forest PATH --address A [conversion options]"],
        options: schemeOptions + [forestOptions[0],
                                  OptionSpec(name: "address", value: "A", help: "the address (decimal or 0x hex)")]
            + conversionOptions,
        notes: [])

    static let decode = CommandSpec(
        name: "lut decode",
        summary: "the named BDT inputs of addresses, for building training samples",
        synopsis: ["(--scheme NAME | --scheme-file PATH) (--first A --count N | --addresses FILE) [--format csv|npy] [--out FILE]"],
        options: schemeOptions + rangeOptions + [
            OptionSpec(name: "addresses", value: "FILE",
                       help: "addresses: text (one per line, decimal or 0x hex, # comments) or a 1-D uint64 .npy"),
            OptionSpec(name: "format", value: "csv|npy",
                       help: "csv (header: address and the input names; default) or npy (structured array)"),
            OptionSpec(name: "out", value: "FILE", help: "output file (csv: standard output when omitted)"),
        ],
        notes: ["Columns: address, then the scheme's inputs in the forest's order (tml_lut_scheme_feature_name)."])

    static let lutCommands = [generate, verify, lookup, decode]
}
