import TrigMLCore

// The command-line grammar: every subcommand declares its options
// (`CommandSpec`), and parsing refuses anything else. A misspelt option is
// an error that names it and the nearest valid spelling, never an ignored
// argument (`--frist 0x4000000` once silently wrote the whole mode).

/// A refusal: printed as "trigml: message", exit status 2.
struct Failure: Error { let message: String }

func fail(_ message: String) -> Failure { Failure(message: message) }

/// `--help` anywhere in a subcommand's arguments.
struct HelpRequested: Error { let command: CommandSpec }

struct OptionSpec {
    let name: String
    /// The value's placeholder in help ("PATH"); nil for a flag.
    let value: String?
    let help: String
}

struct CommandSpec {
    /// "lut generate"
    let name: String
    let summary: String
    /// Usage lines after "trigml <name> ".
    let synopsis: [String]
    let options: [OptionSpec]
    let notes: [String]

    func option(_ name: String) -> OptionSpec? { options.first { $0.name == name } }
}

/// Parsed `--name value`, `--name=value` and `--flag` arguments of one
/// subcommand, each at most once.
struct ParsedOptions {
    let command: CommandSpec
    private(set) var values: [String: String] = [:]
    private(set) var flags: Set<String> = []

    init(_ command: CommandSpec, _ args: ArraySlice<String>) throws {
        self.command = command
        // Help wins over any other mistake on the line.
        if args.contains("--help") || args.contains("-h") { throw HelpRequested(command: command) }
        var i = args.startIndex
        while i < args.endIndex {
            let argument = args[i]
            i += 1
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw fail("unexpected argument '\(argument)' for 'trigml \(command.name)' (options start with --; see trigml \(command.name) --help)")
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let spec = command.option(name) else {
                let hint = nearestName(to: name, among: command.options.map(\.name)).map { "; did you mean '--\($0)'?" } ?? ""
                throw fail("unknown option '--\(name)' for 'trigml \(command.name)'\(hint) (see trigml \(command.name) --help)")
            }
            guard values[name] == nil, !flags.contains(name) else { throw fail("--\(name) is given twice") }
            guard let placeholder = spec.value else {
                if inlineValue != nil { throw fail("--\(name) is a flag and takes no value") }
                flags.insert(name)
                continue
            }
            if let inlineValue {
                values[name] = inlineValue
                continue
            }
            guard i < args.endIndex else { throw fail("--\(name) needs a value (\(placeholder))") }
            let value = args[i]
            // "--out --first 4" is a forgotten value, not a file named "--first".
            guard !value.hasPrefix("--") else { throw fail("--\(name) needs a value (\(placeholder)), got the option '\(value)'") }
            values[name] = value
            i += 1
        }
    }

    func has(_ name: String) -> Bool { values[name] != nil || flags.contains(name) }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    func optional(_ name: String) -> String? { values[name] }

    func required(_ name: String) throws -> String {
        guard let value = values[name] else { throw fail("--\(name) is required for 'trigml \(command.name)'") }
        return value
    }

    /// A non-negative integer, decimal or 0x-hexadecimal.
    func uint(_ name: String) throws -> UInt64? {
        guard let text = values[name] else { return nil }
        guard let value = parseUnsigned(text) else { throw fail("--\(name) '\(text)' is not a non-negative integer (decimal or 0x hex)") }
        return value
    }

    /// A finite number.
    func double(_ name: String) throws -> Double? {
        guard let text = values[name] else { return nil }
        guard let value = Double(text), value.isFinite else { throw fail("--\(name) '\(text)' is not a finite number") }
        return value
    }

    /// One of `choices`.
    func choice(_ name: String, _ choices: [String], default fallback: String) throws -> String {
        guard let text = values[name] else { return fallback }
        guard choices.contains(text) else {
            let hint = nearestName(to: text, among: choices).map { "; did you mean '\($0)'?" } ?? ""
            throw fail("--\(name) '\(text)' is not one of \(choices.joined(separator: ", "))\(hint)")
        }
        return text
    }

    /// Refuses options that do not go together.
    func exclusive(_ names: [String]) throws {
        let given = names.filter(has)
        if given.count > 1 { throw fail(given.map { "--\($0)" }.joined(separator: " and ") + " cannot be combined") }
    }

    func requires(_ name: String, _ other: String) throws {
        if has(name) && !has(other) { throw fail("--\(name) needs --\(other)") }
    }
}

func parseUnsigned(_ text: String) -> UInt64? {
    if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt64(text.dropFirst(2), radix: 16) }
    return UInt64(text)
}
