import TrigMLCore

// `trigml lut generate | verify | lookup | decode` (docs/lut.md "Command line").
// SwiftPM builds this as `.build/release/trigml-cli` (the product name
// `trigml` belongs to the library, libtrigml.so); CMake installs it as
// `trigml`, and tools/trigml is a wrapper that runs it.

func run(_ args: [String]) throws {
    guard args.count >= 2 else { fputs(topUsage, stderr); exit(2) }
    switch args[1] {
    case "--help", "-h", "help":
        print(fullHelp(), terminator: ""); exit(0)
    case "--version":
        guard args.count == 2 else { throw fail("--version takes no arguments") }
        print(versionText(), terminator: ""); exit(0)
    case "lut":
        break
    default:
        let hint = nearestName(to: args[1], among: ["lut", "--help", "--version"]).map { "; did you mean '\($0)'?" } ?? ""
        throw fail("unknown command '\(args[1])'\(hint) (see trigml --help)")
    }
    guard args.count >= 3 else { fputs(topUsage, stderr); exit(2) }
    if ["--help", "-h", "help"].contains(args[2]) { print(fullHelp(), terminator: ""); exit(0) }
    let names = Commands.lutCommands.map { String($0.name.dropFirst("lut ".count)) }
    guard let command = Commands.lutCommands.first(where: { $0.name == "lut " + args[2] }) else {
        let hint = nearestName(to: args[2], among: names).map { "; did you mean '\($0)'?" } ?? ""
        throw fail("unknown subcommand '\(args[2])' of 'trigml lut'\(hint) (commands: \(names.joined(separator: ", ")); see trigml --help)")
    }
    let options = try ParsedOptions(command, args[3...])
    switch args[2] {
    case "generate": try generateCommand(options, commandLine: args)
    case "verify": try verifyCommand(options)
    case "lookup": try lookupCommand(options)
    default: try decodeCommand(options)
    }
}

do {
    try run(CommandLine.arguments)
} catch let request as HelpRequested {
    print(help(request.command), terminator: ""); exit(0)
} catch let e as Failure {
    fputs("trigml: \(e.message)\n", stderr); exit(2)
} catch let e as TMLError {
    fputs("trigml: \(e.message)\n", stderr); exit(2)
} catch {
    fputs("trigml: \(error)\n", stderr); exit(2)
}
