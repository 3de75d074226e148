import Foundation

extension SSHTestFleet {
    /// Puts the corpus's qmail-send logs back on every host, removing anything a test added
    /// (files mode 0644).
    public func resetLogs() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: TestPaths.corpusSend.path)
        for host in 1...hosts {
            let send = sendDirectory(host)
            try? FileManager.default.removeItem(at: send)
            try FileManager.default.createDirectory(at: send, withIntermediateDirectories: true)
            for name in files {
                let target = send.appendingPathComponent(name)
                try FileManager.default.copyItem(at: TestPaths.corpusSend.appendingPathComponent(name), to: target)
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: target.path)
            }
        }
    }

    /// Replaces host `host`'s qmail log, control files and maps (and the accounts' `.qmail*`
    /// files) by the snapshot at `corpus` (default: the shared corpus) with `fleet.sh load`.
    public func reload(host: Int, corpus: String = TestPaths.corpus.path) throws {
        let h = hostDir(host)
        try ProcessRunner.shell(["/bin/rm", "-rf", "--", "\(h)/qmail-log/send", "\(h)/var-qmail/control",
                                 "\(h)/var-qmail/users", "\(h)/var-qmail/alias"])
        for account in try FileManager.default.contentsOfDirectory(atPath: "\(h)/home") {
            for name in try FileManager.default.contentsOfDirectory(atPath: "\(h)/home/\(account)") where name.hasPrefix(".qmail") {
                try FileManager.default.removeItem(atPath: "\(h)/home/\(account)/\(name)")
            }
        }
        try fleet("load", "--host", String(host), "--corpus", corpus)
    }
}
