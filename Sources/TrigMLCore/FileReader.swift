#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Model files are small (kB to a few MB); anything above this is refused
/// as not a model file rather than read into memory.
public let maxModelFileBytes = 1 << 30

/// Reads a whole file with the C library (no Foundation), reporting a
/// missing path, an unreadable path, a directory or a short read as `.io`.
public func readWholeFile(_ path: String, limit: Int = maxModelFileBytes) throws -> [UInt8] {
    guard let file = fopen(path, "rb") else {
        let why = String(cString: strerror(errno))
        throw TMLError.io("cannot open '\(path)': \(why)")
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let got = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if got > 0 { bytes.append(contentsOf: chunk[0..<got]) }
        if bytes.count > limit {
            throw TMLError.io("'\(path)' is larger than \(limit) bytes; not a model file")
        }
        if got < chunk.count {
            if ferror(file) != 0 {
                let why = String(cString: strerror(errno))
                throw TMLError.io("read error in '\(path)' after \(bytes.count) bytes: \(why)")
            }
            break
        }
    }
    return bytes
}
