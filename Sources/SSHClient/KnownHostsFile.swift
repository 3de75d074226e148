import Foundation

/// A line of a known_hosts file that LostMail does not use, with the reason.
public struct KnownHostsIssue: Sendable, Equatable, CustomStringConvertible {
    /// The known_hosts file.
    public let file: String
    /// 1-based line number.
    public let line: Int
    /// Why the line is not used.
    public let reason: String

    /// `file:line: reason; the line is ignored`.
    public var description: String { "\(file):\(line): \(reason); the line is ignored" }
}

/// A known_hosts file parsed in Swift, the way OpenSSH reads it (sshd(8), "SSH_KNOWN_HOSTS
/// FILE FORMAT"): `[@marker] hostpatterns keytype base64-key [comment]`.
///
/// libssh2 1.10 does not understand markers, so they are handled here: plain lines go on to
/// libssh2 for the host-key check, `@revoked` lines are kept apart (a revoked key is refused
/// even when a plain line lists it), and every line that cannot be used (`@cert-authority`,
/// an unknown marker, too few fields, a key that does not decode or whose type differs from
/// the one written before it) is an issue naming file and line.
public struct KnownHostsFile: Sendable {
    /// One usable key line.
    public struct Entry: Sendable, Equatable {
        /// 1-based line number.
        public let line: Int
        /// The host patterns field (comma-separated patterns, or one `|1|salt|hash`).
        public let hosts: String
        /// The key type written in the line, e.g. `ssh-ed25519`.
        public let keyType: String
        /// The decoded key blob.
        public let key: [UInt8]
        /// The line without its marker, as libssh2 reads it.
        public let text: String
    }

    /// The file's path.
    public let path: String
    /// Lines without a marker.
    public private(set) var plain: [Entry] = []
    /// `@revoked` lines.
    public private(set) var revoked: [Entry] = []
    /// Lines that are not used.
    public private(set) var issues: [KnownHostsIssue] = []
    /// `@cert-authority` lines: not used to check a key (libssh2 1.10 cannot check host
    /// certificates), but a host they name is refused with that reason rather than as unknown.
    public private(set) var certificateAuthorities: [(line: Int, hosts: String)] = []

    /// True when the file already names hosts hashed (`|1|...`, OpenSSH's `HashKnownHosts`):
    /// a key recorded by accept-new is then hashed too.
    public var usesHashedNames: Bool {
        plain.contains { $0.hosts.hasPrefix("|1|") } || revoked.contains { $0.hosts.hasPrefix("|1|") }
    }

    /// The `@cert-authority` line naming host:port, if any.
    public func certificateAuthority(host: String, port: Int) -> Int? {
        certificateAuthorities.first { KnownHostsPatterns.matches($0.hosts, host: host, port: port) }?.line
    }

    /// Parses `text`, read from `path` (LF or CRLF line ends).
    public init(text: String, path: String) {
        self.path = path
        var number = 0
        for raw in Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            let bytes = raw.last == 0x0D ? raw.dropLast() : raw
            let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            var isRevoked = false
            if let first = fields.first, first.hasPrefix("@") {
                switch first {
                case "@revoked":
                    isRevoked = true
                case "@cert-authority":
                    issue(number, "@cert-authority lines (host certificates) are not supported by LostMail")
                    if fields.count >= 2 { certificateAuthorities.append((number, fields[1])) }
                    continue
                default:
                    issue(number, "unknown marker \(first) (OpenSSH knows @revoked and @cert-authority)")
                    continue
                }
                fields.removeFirst()
            }
            guard fields.count >= 3 else {
                issue(number, "not a known_hosts line (want: [@revoked] hosts keytype base64-key)")
                continue
            }
            guard let blob = Data(base64Encoded: fields[2]), !blob.isEmpty else {
                issue(number, "the \(fields[1]) key is not valid base64")
                continue
            }
            let algorithm = blob.withUnsafeBytes { keyBlobAlgorithm($0) }
            guard algorithm == fields[1] else {
                issue(number, "the key is of type \(algorithm ?? "unknown"), not \(fields[1]) as the line says")
                continue
            }
            let entry = Entry(line: number, hosts: fields[0], keyType: fields[1], key: Array(blob),
                              text: fields.joined(separator: " "))
            if isRevoked { revoked.append(entry) } else { plain.append(entry) }
        }
    }

    /// Reads and parses the file; a missing file is an empty one.
    public static func load(path: String) throws -> KnownHostsFile {
        guard FileManager.default.fileExists(atPath: path) else { return KnownHostsFile(text: "", path: path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SSHError(.knownHostsFile, operation: "read known_hosts", code: errno,
                           message: "cannot read \(path)", host: "")
        }
        return KnownHostsFile(text: String(decoding: data, as: UTF8.self), path: path)
    }

    /// The `@revoked` line that revokes `key` for host:port, if any (OpenSSH: a revoked line
    /// applies to the hosts its patterns match).
    public func revocation(host: String, port: Int, key: [UInt8]) -> Entry? {
        revoked.first { $0.key == key && KnownHostsPatterns.matches($0.hosts, host: host, port: port) }
    }

    /// Records a line libssh2 could not read although it looked well-formed here.
    mutating func reject(_ entry: Entry, reason: String) {
        issue(entry.line, reason)
        issues.sort { $0.line < $1.line }
    }

    private mutating func issue(_ line: Int, _ reason: String) {
        issues.append(KnownHostsIssue(file: path, line: line, reason: reason))
    }
}
