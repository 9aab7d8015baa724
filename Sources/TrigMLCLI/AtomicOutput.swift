import TrigMLCore

// Output files appear complete or not at all: bytes go to a temporary file
// in the target's directory (so the final rename(2) stays on one file
// system and is atomic), which is flushed to disk and renamed only when
// everything was written. Any failure (a full disk, an I/O error) removes
// it, and so does SIGINT, SIGTERM or SIGHUP: the handler unlinks every
// pending temporary file before the process dies of the signal.

final class AtomicOutput {
    let path: String
    let temporary: String
    private var descriptor: Int32
    private let slot: Int
    private var finished = false

    init(_ path: String) throws {
        PendingFiles.installHandlers()
        self.path = path
        let (directory, base) = splitPath(path)
        var attempt = 0
        while true {
            let candidate = "\(directory)/.\(base).tmp-\(getpid())-\(attempt)"
            // Registered before it exists: a signal between the two finds
            // nothing to unlink, never an unregistered file.
            let slot = try PendingFiles.register(candidate)
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 {
                self.temporary = candidate
                self.descriptor = fd
                self.slot = slot
                return
            }
            let error = errno
            PendingFiles.unregister(slot)
            if error == EEXIST && attempt < 100 { attempt += 1; continue }
            throw fail("cannot create a temporary file for \(path) in \(directory): \(String(cString: strerror(error)))")
        }
    }

    deinit { discard() }

    func write(_ bytes: UnsafeRawPointer, count: Int) throws {
        var done = 0
        while done < count {
            let chunk = Swift.min(count - done, 1 << 30)
            let written = Glibc.write(descriptor, bytes + done, chunk)
            if written < 0 {
                if errno == EINTR { continue }
                throw fail("cannot write \(path): \(String(cString: strerror(errno))) (after \(done) of \(count) bytes; nothing was left behind)")
            }
            if written == 0 { throw fail("cannot write \(path): the system wrote nothing (nothing was left behind)") }
            done += written
        }
    }

    func write(_ text: String) throws { try write(bytes: Array(text.utf8)) }

    func write(bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            try write(base, count: buffer.count)
        }
    }

    /// Flushes the temporary file to disk and closes it; `rename` publishes it.
    func close() throws {
        guard descriptor >= 0 else { return }
        let synced = fsync(descriptor) == 0 || errno == EINVAL
        let syncError = errno
        let closed = Glibc.close(descriptor) == 0
        let closeError = errno
        descriptor = -1
        guard synced else { throw fail("cannot write \(path): \(String(cString: strerror(syncError)))") }
        guard closed else { throw fail("cannot write \(path): \(String(cString: strerror(closeError)))") }
    }

    func publish() throws {
        try close()
        guard rename(temporary, path) == 0 else {
            throw fail("cannot rename \(temporary) to \(path): \(String(cString: strerror(errno)))")
        }
        finished = true
        PendingFiles.unregister(slot)
    }

    /// Removes the temporary file (no-op once published).
    func discard() {
        if descriptor >= 0 { _ = Glibc.close(descriptor); descriptor = -1 }
        if finished { return }
        unlink(temporary)
        finished = true
        PendingFiles.unregister(slot)
    }
}

/// Directory and last component of a path ("." for a bare name).
func splitPath(_ path: String) -> (String, String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let directory = String(path[..<slash])
    return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
}

/// The temporary files a signal must remove: fixed C buffers, so the
/// handler only reads memory and calls unlink(2) (async-signal-safe).
enum PendingFiles {
    static let slots = 4
    static let pathBytes = 4096
    static let storage: UnsafeMutablePointer<CChar> = {
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: slots * pathBytes)
        buffer.initialize(repeating: 0, count: slots * pathBytes)
        return buffer
    }()
    static let lock = Mutex()
    static let installed = OnceSlot<Bool>()

    static func register(_ path: String) throws -> Int {
        let bytes = Array(path.utf8)
        guard bytes.count < pathBytes else { throw fail("path too long for a temporary file: \(path)") }
        return try lock.locked {
            for slot in 0..<slots where storage[slot * pathBytes] == 0 {
                let base = storage + slot * pathBytes
                for (k, byte) in bytes.enumerated().dropFirst() { base[k] = CChar(bitPattern: byte) }
                base[bytes.count] = 0
                base[0] = CChar(bitPattern: bytes[0])  // last: the slot is in use from here
                return slot
            }
            throw fail("more than \(slots) output files at once")
        }
    }

    static func unregister(_ slot: Int) {
        lock.locked { storage[slot * pathBytes] = 0 }
    }

    static func installHandlers() {
        _ = installed.value {
            _ = storage  // made before any handler can read it
            for signal in [SIGINT, SIGTERM, SIGHUP] {
                Glibc.signal(signal) { received in
                    for slot in 0..<PendingFiles.slots {
                        let path = PendingFiles.storage + slot * PendingFiles.pathBytes
                        if path[0] != 0 { unlink(path) }
                    }
                    Glibc.signal(received, SIG_DFL)
                    raise(received)
                }
            }
            return true
        }
    }
}
