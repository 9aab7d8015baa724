import TrigMLCore

// An output must never overwrite an input: `--forest f.json --out f.json`
// once replaced the trained forest with the table, and `--out mode15`
// replaced mode15.json with the sidecar. Paths are compared after
// resolving links and `..` (realpath(3)), and existing files also by device
// and inode, which catches hard links and bind mounts.

struct FileIdentity {
    let resolved: String
    let device: UInt64?
    let inode: UInt64?

    init(_ path: String) {
        var status = stat()
        if stat(path, &status) == 0 {
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
        } else {
            device = nil
            inode = nil
        }
        if let full = realpath(path, nil) {
            resolved = String(cString: full)
            free(full)
        } else {
            // Not there yet: resolve the directory it would be created in.
            let (directory, base) = splitPath(path)
            if let full = realpath(directory, nil) {
                resolved = String(cString: full) + "/" + base
                free(full)
            } else {
                resolved = path
            }
        }
    }

    func sameFile(as other: FileIdentity) -> Bool {
        if resolved == other.resolved { return true }
        if let device, let inode, device == other.device, inode == other.inode { return true }
        return false
    }
}

/// Refuses when any output is one of the inputs (each given as
/// (description, path)).
func refuseOverwritingInputs(outputs: [(String, String)], inputs: [(String, String)]) throws {
    let inputIdentities = inputs.map { ($0.0, $0.1, FileIdentity($0.1)) }
    for (what, path) in outputs {
        let identity = FileIdentity(path)
        for (inputWhat, inputPath, inputIdentity) in inputIdentities where identity.sameFile(as: inputIdentity) {
            throw fail("\(what) \(path) is the \(inputWhat) \(inputPath): refusing to overwrite an input file")
        }
    }
}
