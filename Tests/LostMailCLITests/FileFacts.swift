import Foundation

/// A file's bytes and metadata, read without following a final symlink (nil: no such file).
struct FileFacts: Equatable {
    let data: Data?
    let mode: UInt32
    let uid: UInt32
    let gid: UInt32
    let links: UInt64
    let inode: UInt64
    let mtime: Int
    let mtimeNanos: Int
    let isRegular: Bool
    let isSymlink: Bool

    init?(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        mode = UInt32(info.st_mode) & 0o7777
        uid = info.st_uid
        gid = info.st_gid
        links = UInt64(info.st_nlink)
        inode = UInt64(info.st_ino)
        mtime = Int(info.st_mtim.tv_sec)
        mtimeNanos = Int(info.st_mtim.tv_nsec)
        isRegular = (info.st_mode & S_IFMT) == S_IFREG
        isSymlink = (info.st_mode & S_IFMT) == S_IFLNK
        data = isRegular ? FileManager.default.contents(atPath: path) : nil
    }
}

/// A directory's entries with their facts, to prove nothing in it changed.
func directoryFacts(_ path: String) throws -> [String: FileFacts] {
    var result: [String: FileFacts] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: path) {
        result[name] = FileFacts("\(path)/\(name)")
    }
    result["."] = FileFacts(path)
    return result
}
