import Foundation

/// What OpenSSH's own resolver (`ssh -G`) makes of one host, kept to the options LostMail
/// uses. Each option is nil (or empty) when the config leaves it at OpenSSH's default, which
/// is decided by comparing with `ssh -G -F /dev/null` (no config at all): only what a config
/// file sets may override LostMail's own defaults.
public struct SSHConfigLookup: Sendable, Equatable {
    /// `HostName` (always given: the alias itself when the config sets none), tokens expanded by ssh.
    public var hostName: String
    public var port: Int?
    public var user: String?
    /// `IdentityFile` entries as written (`~` and `%` tokens not yet expanded), in order.
    public var identityFiles: [String]
    /// `UserKnownHostsFile` paths (ssh has expanded them).
    public var userKnownHostsFiles: [String]
    /// `StrictHostKeyChecking` as ssh prints it (`true`/`yes`, `accept-new`, `false`/`no`, `ask`).
    public var strictHostKeyChecking: String?
    /// `ProxyJump` as written (parsed by `JumpHost.parseList`).
    public var proxyJumpText: String?
    /// `ProxyCommand` as written.
    public var proxyCommand: String?
    /// `HashKnownHosts` (`yes`: true, `no`: false), when the config sets it.
    public var hashKnownHosts: Bool?

    /// The options of `ssh -G` output (`key value` lines; keys are case-insensitive).
    struct Options: Equatable {
        var values: [String: [String]] = [:]

        init(output: String) {
            for line in output.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1)
                guard let key = parts.first else { continue }
                values[key.lowercased(), default: []].append(parts.count > 1 ? String(parts[1]) : "")
            }
        }

        func first(_ key: String) -> String? { values[key]?.first }
        func all(_ key: String) -> [String] { values[key] ?? [] }
    }

    /// The lookup from `ssh -G` output for the host (`output`) and for no config (`baseline`).
    init(output: Options, baseline: Options, alias: String) {
        func set(_ key: String) -> [String]? {
            let values = output.all(key)
            return values == baseline.all(key) ? nil : values
        }
        hostName = output.first("hostname") ?? alias
        port = set("port")?.first.flatMap { Int($0) }
        user = set("user")?.first
        identityFiles = set("identityfile") ?? []
        userKnownHostsFiles = set("userknownhostsfile")?.first.map { $0.split(separator: " ").map(String.init) } ?? []
        strictHostKeyChecking = set("stricthostkeychecking")?.first
        proxyJumpText = set("proxyjump")?.first.flatMap { $0.lowercased() == "none" ? nil : $0 }
        proxyCommand = set("proxycommand")?.first.flatMap { $0.lowercased() == "none" ? nil : $0 }
        hashKnownHosts = set("hashknownhosts")?.first.map { $0.lowercased() == "yes" }
    }
}
