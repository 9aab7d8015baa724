#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TrigMLCore

/// Writes `text` to `path` with the C library (no Foundation): first to
/// `path.tmp-<pid>`, then renamed over `path`, so a reader never sees a
/// half-written file. Failures are `.io` with the reason.
func writeTextFile(_ text: String, to path: String) throws {
    let temporary = "\(path).tmp-\(getpid())"
    guard let file = fopen(temporary, "wb") else {
        throw TMLError.io("cannot create '\(temporary)': \(String(cString: strerror(errno)))")
    }
    var bytes = Array(text.utf8)
    let written = bytes.withUnsafeMutableBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    let flushed = fflush(file) == 0
    let closed = fclose(file) == 0
    guard written == bytes.count, flushed, closed else {
        let why = String(cString: strerror(errno))
        unlink(temporary)
        throw TMLError.io("cannot write '\(temporary)': \(why)")
    }
    bytes.removeAll()
    guard rename(temporary, path) == 0 else {
        let why = String(cString: strerror(errno))
        unlink(temporary)
        throw TMLError.io("cannot rename '\(temporary)' to '\(path)': \(why)")
    }
}

/// JSON text of a finite double that reads back to the same double
/// (Swift's shortest round-trip form, e.g. 0.05, -7.0, 1e-05).
func jsonNumber(_ x: Double) -> String { x.description }

/// A JSON string literal.
func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 {
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}
