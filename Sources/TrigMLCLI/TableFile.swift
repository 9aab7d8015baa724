import TrigMLCore

// A table file mapped read-only, read word by word in either format.

final class TableFile {
    let path: String
    let byteCount: Int
    let emtf64: Bool
    private let mapping: UnsafeMutableRawPointer?

    init(path: String, emtf64: Bool) throws {
        self.path = path
        self.emtf64 = emtf64
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fail("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw fail("\(path) is not a regular file")
        }
        byteCount = Int(status.st_size)
        if byteCount == 0 { mapping = nil; return }
        guard let mapped = mmap(nil, byteCount, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw fail("cannot map \(path): \(String(cString: strerror(errno)))")
        }
        mapping = mapped
    }

    deinit { if let mapping { munmap(mapping, byteCount) } }

    /// Words in the file (two bytes per word in both formats).
    var wordCount: Int { byteCount / 2 }

    /// Word i, or nil when its packed uint64 has bits set outside the four
    /// 9-bit fields (emtf64).
    @inline(__always)
    func word(_ i: Int) -> UInt16? {
        guard let mapping else { return nil }
        if !emtf64 { return UInt16(littleEndian: mapping.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        let packed = UInt64(littleEndian: mapping.loadUnaligned(fromByteOffset: 8 * (i / 4), as: UInt64.self))
        if packed & ~UInt64(0x0003_ffff_0003_ffff) != 0 { return nil }
        let shift: UInt64 = [0, 9, 32, 41][i % 4]
        return UInt16((packed >> shift) & 0x1ff)
    }
}
