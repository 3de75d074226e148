import Foundation

/// The argument vectors ``SudoRemoteHost`` runs as root for what SFTP does otherwise, and
/// the parsers of their output. Paths are always positional arguments of constant scripts
/// (or `dd` operands), never spliced into shell text; output is NUL-separated, so any byte a
/// file name may hold survives. Messages are in the C locale (`LC_ALL=C`).
enum SudoScripts {
    /// The exit status of ``stat(_:)`` when nothing is there (no such file, or a dangling symlink).
    static let absent: Int32 = 3

    /// Lists `directory` (lstat of each entry): per entry `name NUL type NUL size NUL mtime NUL`,
    /// GNU find's `%y` type letter and `%T@` seconds. Fails (with the `cd` message) when the
    /// directory is missing or no directory.
    static func list(_ directory: String) -> [String] {
        let script = #"LC_ALL=C; export LC_ALL; cd -- "$1" || exit 1; "#
            + #"exec find . -mindepth 1 -maxdepth 1 -printf '%P\0%y\0%s\0%T@\0'"#
        return ["/bin/sh", "-c", script, "lostmail-list", directory]
    }

    /// What `path` names, following symlinks: `type NUL size NUL mtime` (stat's `%F`, `%s`,
    /// `%Y`); exit ``absent`` when nothing is there; a symlink loop fails with stat's message.
    static func stat(_ path: String) -> [String] {
        let script = #"LC_ALL=C; export LC_ALL; "#
            + #"if out=$(stat -L --printf '%F\n%s\n%Y' -- "$1" 2>&1); then printf '%s' "$out"; exit 0; fi; "#
            + #"case $out in *'No such file or directory'*) exit 3 ;; esac; printf '%s\n' "$out" >&2; exit 1"#
        return ["/bin/sh", "-c", script, "lostmail-stat", path]
    }

    /// The `count` bytes of `path` from byte `offset` on, to stdout.
    static func read(_ path: String, from offset: UInt64, count: UInt64) -> [String] {
        ["/bin/dd", "if=\(path)", "iflag=skip_bytes,count_bytes", "skip=\(offset)", "count=\(count)",
         "bs=1048576", "status=none"]
    }

    /// The command's stderr (else its status), for an error message.
    static func message(_ result: CommandResult) -> String {
        let text = result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "exit status \(result.status)" : text
    }

    static func parseListing(_ output: Data, directory: String, host: String) throws -> [RemoteFileInfo] {
        var fields = output.split(separator: 0, omittingEmptySubsequences: false).map { Data($0) }
        if fields.last?.isEmpty == true { fields.removeLast() }
        guard fields.count % 4 == 0 else {
            throw RemoteHostError.fileSystem(host: host, operation: "list", path: directory,
                                             message: "the listing through sudo is malformed")
        }
        var entries: [RemoteFileInfo] = []
        for start in stride(from: 0, to: fields.count, by: 4) {
            let name = String(decoding: fields[start], as: UTF8.self)
            let type = String(decoding: fields[start + 1], as: UTF8.self)
            let size = UInt64(String(decoding: fields[start + 2], as: UTF8.self)) ?? 0
            let stamp = String(decoding: fields[start + 3], as: UTF8.self)
            let mtime = Int64(stamp.split(separator: ".").first ?? "") ?? 0
            let kind: RemoteFileInfo.Kind = type == "f" ? .file : type == "d" ? .directory : type == "l" ? .symlink : .other
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            entries.append(RemoteFileInfo(name: name, path: path, kind: kind, size: size, mtime: mtime))
        }
        return entries.sorted { $0.name < $1.name }
    }

    static func parseStat(_ output: Data, path: String, host: String) throws -> RemoteFileInfo {
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 3, let size = UInt64(lines[1]), let mtime = Int64(lines[2]) else {
            throw RemoteHostError.fileSystem(host: host, operation: "stat", path: path,
                                             message: "the stat through sudo is malformed")
        }
        let type = lines[0]
        let kind: RemoteFileInfo.Kind = type.hasPrefix("regular") ? .file : type == "directory" ? .directory : .other
        return RemoteFileInfo(name: (path as NSString).lastPathComponent, path: path, kind: kind, size: size, mtime: mtime)
    }
}
