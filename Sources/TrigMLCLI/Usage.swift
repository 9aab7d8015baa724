import TrigML
import TrigMLCore

// Help texts, built from the command specs so they cannot drift from what
// the parser accepts.

func help(_ command: CommandSpec) -> String {
    var lines = ["trigml \(command.name): \(command.summary)", "", "usage:"]
    lines += command.synopsis.map { "  trigml \(command.name) \($0)" }
    lines += ["", "options:"]
    let width = command.options.map { optionLabel($0).count }.max() ?? 0
    for option in command.options {
        let label = optionLabel(option)
        lines.append("  " + label + String(repeating: " ", count: width - label.count + 2) + option.help)
    }
    lines.append("  --help" + String(repeating: " ", count: Swift.max(2, width - 4)) + "this text")
    if !command.notes.isEmpty { lines += [""] + command.notes }
    return lines.joined(separator: "\n") + "\n"
}

func optionLabel(_ option: OptionSpec) -> String {
    option.value.map { "--\(option.name) \($0)" } ?? "--\(option.name)"
}

let topUsage = """
usage: trigml lut <command> [options]     (trigml lut <command> --help for one command)
       trigml --version | --help

commands:
\(Commands.lutCommands.map { "  \($0.name.padded(14)) \($0.summary)" }.joined(separator: "\n"))

Unknown commands and options are errors (with the nearest valid spelling).
Exit status: 0 success, 1 verify found differences, 2 refused (bad arguments or files).
Every generated FILE has a sidecar FILE.json (docs/formats/lut_output.md): the scheme (preset name, or
file path and SHA-256), each forest's path and SHA-256, the conversion, range, format, command line,
library version and CPU path; `verify` reads it.

"""

func fullHelp() -> String {
    topUsage + Commands.lutCommands.map { "\n" + help($0) }.joined()
}

func versionText() -> String {
    "trigml \(String(cString: tml_version())) (C ABI \(tml_abi_version()), CPU path \(cpuPath()))\n"
}

/// The kernel path the library runs (`tml_cpu_path`), for sidecars and
/// --version; "refused" when TRIGML_ISA was refused (every call then fails
/// with the library's message).
func cpuPath() -> String { tml_cpu_path().map { String(cString: $0) } ?? "refused" }

extension String {
    func padded(_ width: Int) -> String { self + String(repeating: " ", count: Swift.max(0, width - count)) }
}
