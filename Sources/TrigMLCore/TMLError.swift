/// A failure that crosses the C ABI as a `tml_status` plus a message.
/// The raw values are the `TML_*` codes of include/trigml.h.
public struct TMLError: Error, CustomStringConvertible {
    public enum Code: Int32 {
        case invalidArgument = 1
        case io = 2
        case format = 3
        case shape = 4
        case unsupported = 5
        case outOfMemory = 6
        case internalError = 7
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func invalid(_ m: String) -> TMLError { TMLError(.invalidArgument, m) }
    public static func format(_ m: String) -> TMLError { TMLError(.format, m) }
    public static func shape(_ m: String) -> TMLError { TMLError(.shape, m) }
    public static func io(_ m: String) -> TMLError { TMLError(.io, m) }
    public static func unsupported(_ m: String) -> TMLError { TMLError(.unsupported, m) }
}

/// Counts arriving through the C ABI are `uint64_t`. A count whose array
/// would not fit in the x86-64/aarch64 user address space (2^47 bytes)
/// cannot describe real memory, so it is rejected before any pointer
/// arithmetic or allocation (and before `Int(...)` could trap).
public let maxAddressableBytes: UInt64 = 1 << 47

public func checkedCount(_ n: UInt64, elementBytes: UInt64, perItem: UInt64 = 1,
                         what: String) throws -> Int {
    let (items, o1) = n.multipliedReportingOverflow(by: perItem)
    let (bytes, o2) = items.multipliedReportingOverflow(by: elementBytes)
    if o1 || o2 || bytes > maxAddressableBytes {
        throw TMLError.invalid("\(what) = \(n) is too large: its array would need more than 2^47 bytes")
    }
    return Int(n)
}
