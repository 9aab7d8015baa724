// Writing JSON text: the DDT map file and the CLI's LUT sidecar. The
// reader (JSON.swift) refuses raw control characters inside strings, as
// RFC 8259 section 7 requires, so the writer must escape every one of them
// or it would write files the library cannot read back.

/// JSON text of a finite double that reads back to the same double
/// (Swift's shortest round-trip form, e.g. 0.05, -7.0, 1e-05).
package func jsonNumber(_ x: Double) -> String { x.description }

/// A JSON string literal: quotes, backslashes and every control character
/// (U+0000 to U+001F) escaped; everything else as is (UTF-8).
package func jsonString(_ s: String) -> String {
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
