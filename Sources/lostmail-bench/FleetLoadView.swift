import Foundation

/// What `fleet.sh load` is given for every bench host: a folder of symlinks to a snapshot
/// (never modified; fleet.sh copies from it) and a filtered passwd.
///
/// fleet.sh `load` creates the snapshot's passwd accounts with their uids and refuses an
/// account that exists with another uid (web1-4 of the shared corpus do). The view keeps only
/// passwd lines it can create or that already match; accounts missing whose uid is taken go to
/// `up --accounts` (any free uid).
struct FleetLoadView {
    let view: URL
    /// Accounts `fleet.sh up --accounts` must create (their uid is taken by another name).
    let extraAccounts: [String]
    /// Every account of the snapshot (passwd lines with a home under /home).
    let accounts: [String]
    /// The log's files (name, bytes) as the hosts will hold them.
    let logFiles: [(name: String, bytes: UInt64)]

    /// `snapshot` is a host root (etc/passwd, var/..., home/...) or a corpus folder holding
    /// such a root as `host/` with its log beside it as `send.tar.gz` (the shared large corpus).
    init(snapshot: URL, base: URL) throws {
        let manager = FileManager.default
        var root = snapshot
        if manager.fileExists(atPath: snapshot.appendingPathComponent("host/etc/passwd").path) {
            root = snapshot.appendingPathComponent("host")
        }
        guard manager.fileExists(atPath: root.appendingPathComponent("etc/passwd").path) else {
            throw GeneratorError("\(snapshot.path): no etc/passwd (nor host/etc/passwd): not a host snapshot")
        }
        view = base.appendingPathComponent("load-view")
        try? manager.removeItem(at: view)
        let etc = view.appendingPathComponent("etc")
        try manager.createDirectory(at: etc, withIntermediateDirectories: true)
        for name in ["var", "home"] where manager.fileExists(atPath: root.appendingPathComponent(name).path) {
            try manager.createSymbolicLink(at: view.appendingPathComponent(name),
                                           withDestinationURL: root.appendingPathComponent(name))
        }
        let logDirectory = root.appendingPathComponent("var/log/qmail/send")
        let tarball = snapshot.appendingPathComponent("send.tar.gz")
        if manager.fileExists(atPath: logDirectory.path) {
            logFiles = try manager.contentsOfDirectory(atPath: logDirectory.path).sorted().map { name in
                let attributes = try manager.attributesOfItem(atPath: logDirectory.appendingPathComponent(name).path)
                return (name, (attributes[.size] as? NSNumber)?.uint64Value ?? 0)
            }
        } else if manager.fileExists(atPath: tarball.path) {
            try manager.createSymbolicLink(at: view.appendingPathComponent("send.tar.gz"), withDestinationURL: tarball)
            logFiles = try Self.tarListing(tarball)
        } else {
            throw GeneratorError("\(snapshot.path): no var/log/qmail/send and no send.tar.gz")
        }
        var kept: [String] = [], extra: [String] = [], accounts: [String] = []
        let passwd = try String(contentsOf: root.appendingPathComponent("etc/passwd"), encoding: .utf8)
        for line in passwd.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 7, fields[5].hasPrefix("/home/"), let uid = UInt32(fields[2]) else { continue }
            let name = fields[0]
            accounts.append(name)
            if let entry = getpwnam(name) {
                if entry.pointee.pw_uid == uid { kept.append(String(line)) }
            } else if getpwuid(uid) != nil {
                extra.append(name)
            } else {
                kept.append(String(line))
            }
        }
        try (kept.joined(separator: "\n") + "\n").write(to: etc.appendingPathComponent("passwd"), atomically: true, encoding: .utf8)
        extraAccounts = extra
        self.accounts = accounts
    }

    var logBytes: UInt64 { logFiles.reduce(0) { $0 + $1.bytes } }

    /// The regular files of `send/` in a tarball (`tar -tvzf`), names without the folder.
    private static func tarListing(_ tarball: URL) throws -> [(name: String, bytes: UInt64)] {
        let listing = try runProgram(["/usr/bin/tar", "-tvzf", tarball.path])
        return listing.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[0].hasPrefix("-"), let bytes = UInt64(fields[2]) else { return nil }
            let path = fields[5...].joined(separator: " ")
            return (String(path.split(separator: "/").last ?? ""), bytes)
        }.sorted { $0.name < $1.name }
    }
}
