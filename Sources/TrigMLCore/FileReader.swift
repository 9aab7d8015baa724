/// Model files are small (kB to tens of MB for a large XGBoost forest);
/// anything above this is refused as not a model file rather than read into
/// memory. A regular file is judged by its size before any byte is read; a
/// stream (pipe, /dev/zero) is cut off once it passes the limit.
package let maxModelFileBytes = 256 << 20

/// Reads a whole file with the C library (no Foundation), reporting a
/// missing path, an unreadable path, a directory or a short read as `.io`,
/// and a file that does not fit in the memory left as `.outOfMemory`
/// (checked before the buffer is made or grown, since a failing Swift
/// array allocation would end the process).
package func readWholeFile(_ path: String, limit: Int = maxModelFileBytes) throws -> [UInt8] {
    guard let file = fopen(path, "rb") else {
        let why = String(cString: strerror(errno))
        throw TMLError.io("cannot open '\(path)': \(why)")
    }
    defer { fclose(file) }
    var status = stat()
    if fstat(fileno(file), &status) == 0 {
        if (status.st_mode & S_IFMT) == S_IFDIR {
            throw TMLError.io("'\(path)' is a directory, not a file")
        }
        if (status.st_mode & S_IFMT) == S_IFREG && Int(status.st_size) > limit {
            throw TMLError.io("'\(path)' is \(status.st_size) bytes, larger than \(limit); not a model file")
        }
    }
    var bytes: [UInt8] = []
    if (status.st_mode & S_IFMT) == S_IFREG && status.st_size > 0 {
        let size = Int(status.st_size)
        try MemoryPreflight.require(size + 1, for: "reading '\(path)' (\(size) bytes)")
        bytes.reserveCapacity(size + 1)
    }
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let got = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if bytes.count + got > bytes.capacity {
            // Growing copies: the old and the doubled buffer live together.
            try MemoryPreflight.require(3 * (bytes.count + got), for: "reading '\(path)' (\(bytes.count + got) bytes so far)")
        }
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
