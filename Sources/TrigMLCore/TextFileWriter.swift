/// Writes `text` to `path` with the C library (no Foundation): first to
/// `path.tmp-<pid>`, then renamed over `path`, so a reader never sees a
/// half-written file. Failures are `.io` with the reason.
package func writeTextFile(_ text: String, to path: String) throws {
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
