import XCTest
@testable import TrigMLCLI

/// The command-line grammar refuses what it does not know, naming it.
final class OptionParsingTests: XCTestCase {
    func parse(_ args: [String], _ command: CommandSpec = Commands.generate) throws -> ParsedOptions {
        try ParsedOptions(command, ArraySlice(args))
    }

    func message(_ args: [String], _ command: CommandSpec = Commands.generate) -> String {
        do {
            _ = try parse(args, command)
            return "accepted"
        } catch let failure as Failure {
            return failure.message
        } catch {
            return "\(error)"
        }
    }

    func testMisspelledOptionsNameTheNearestSpelling() {
        XCTAssertEqual(message(["--frist", "4"]),
                       "unknown option '--frist' for 'trigml lut generate'; did you mean '--first'? (see trigml lut generate --help)")
        XCTAssertTrue(message(["--cont", "8"]).contains("did you mean '--count'?"))
        XCTAssertTrue(message(["--formt", "emtf64"]).contains("did you mean '--format'?"))
        XCTAssertTrue(message(["--full"]).contains("unknown option '--full' for 'trigml lut generate'"))
        XCTAssertTrue(message(["--zzzzzzzz", "1"]).hasPrefix("unknown option '--zzzzzzzz'"))
    }

    func testValuesFlagsAndRepeats() throws {
        let options = try parse(["--first=0x10", "--count", "8", "--all-modes"])
        XCTAssertEqual(try options.uint("first"), 16)
        XCTAssertEqual(try options.uint("count"), 8)
        XCTAssertTrue(options.flag("all-modes"))
        XCTAssertEqual(message(["--count", "8", "--count", "9"]), "--count is given twice")
        XCTAssertEqual(message(["--all-modes=1"]), "--all-modes is a flag and takes no value")
        XCTAssertEqual(message(["--out"]), "--out needs a value (FILE)")
        XCTAssertEqual(message(["--out", "--first", "4"]), "--out needs a value (FILE), got the option '--first'")
        XCTAssertTrue(message(["table.bin"]).hasPrefix("unexpected argument 'table.bin'"))
        XCTAssertThrowsError(try parse(["--first", "-1"]).uint("first"))
        XCTAssertThrowsError(try parse(["--first", "12abc"]).uint("first"))
        XCTAssertThrowsError(try parse(["--format", "u61"]).choice("format", ["u16", "emtf64"], default: "u16")) {
            XCTAssertEqual(($0 as? Failure)?.message, "--format 'u61' is not one of u16, emtf64; did you mean 'u16'?")
        }
    }

    func testHelpIsRequestedAnywhere() {
        for command in Commands.lutCommands {
            XCTAssertThrowsError(try parse(["--first", "3", "--help"], command)) {
                XCTAssertEqual(($0 as? HelpRequested)?.command.name, command.name)
            }
            let text = help(command)
            for option in command.options { XCTAssertTrue(text.contains("--\(option.name)"), option.name) }
        }
        for command in Commands.lutCommands { XCTAssertTrue(fullHelp().contains(help(command))) }
    }

    func testConversionFromOptions() throws {
        let options = try parse(["--conversion", "emtf2017", "--target", "log2_pt", "--output-floor", "0", "--word-max", "1023"])
        let chosen = try chosenConversion(options)
        XCTAssertEqual(chosen.conversion.target, .log2Pt)
        XCTAssertEqual(chosen.conversion.outputFloor, 0)
        XCTAssertEqual(chosen.conversion.scaleNumerator, 1.2)
        XCTAssertEqual(chosen.conversion.wordMax, 1023)
        XCTAssertEqual(chosen.source, "preset emtf2017 with --target log2_pt --output-floor 0 --word-max 1023")
        XCTAssertThrowsError(try chosenConversion(parse(["--target", "log_pt"]))) {
            XCTAssertEqual(($0 as? Failure)?.message, "--target 'log_pt' is not inv_pt or log2_pt; did you mean 'log2_pt'?")
        }
        XCTAssertThrowsError(try chosenConversion(parse(["--word-max", "70000"])))
        XCTAssertThrowsError(try chosenConversion(parse(["--scale-slope", "nan"])))
        XCTAssertThrowsError(try chosenConversion(parse(["--conversion", "emtf2071"]))) {
            XCTAssertTrue(($0 as? Failure)?.message.contains("did you mean 'emtf2017'?") ?? false)
        }
    }
}
