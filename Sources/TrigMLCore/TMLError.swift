/// A failure that crosses the C ABI as a `tml_status` plus a message.
/// The raw values are the `TML_*` codes of include/trigml.h.
package struct TMLError: Error, CustomStringConvertible {
    package enum Code: Int32 {
        case invalidArgument = 1
        case io = 2
        case format = 3
        case shape = 4
        case unsupported = 5
        case outOfMemory = 6
        case internalError = 7
    }

    package let code: Code
    package let message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }

    package static func invalid(_ m: String) -> TMLError { TMLError(.invalidArgument, m) }
    package static func format(_ m: String) -> TMLError { TMLError(.format, m) }
    package static func shape(_ m: String) -> TMLError { TMLError(.shape, m) }
    package static func io(_ m: String) -> TMLError { TMLError(.io, m) }
    package static func unsupported(_ m: String) -> TMLError { TMLError(.unsupported, m) }
    package static func internalError(_ m: String) -> TMLError { TMLError(.internalError, m) }
}

/// Counts arriving through the C ABI are `uint64_t`. A count whose array
/// would not fit in the x86-64/aarch64 user address space (2^47 bytes)
/// cannot describe real memory, so it is rejected before any pointer
/// arithmetic or allocation (and before `Int(...)` could trap).
package let maxAddressableBytes: UInt64 = 1 << 47

package func checkedCount(_ n: UInt64, elementBytes: UInt64, perItem: UInt64 = 1,
                         what: String) throws -> Int {
    let (items, o1) = n.multipliedReportingOverflow(by: perItem)
    let (bytes, o2) = items.multipliedReportingOverflow(by: elementBytes)
    if o1 || o2 || bytes > maxAddressableBytes {
        throw TMLError.invalid("\(what) = \(n) is too large: its array would need more than 2^47 bytes")
    }
    return Int(n)
}
