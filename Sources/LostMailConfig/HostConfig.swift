import Foundation

/// How an SSH host key that is not in known_hosts is treated.
public enum HostKeyPolicy: String, Sendable, Codable, CaseIterable {
    /// Refuse unknown and changed host keys (OpenSSH `StrictHostKeyChecking yes`).
    case strict
    /// Record an unknown host key and go on; a changed key is still refused.
    case acceptNew = "accept-new"
}

/// How a host is reached (`ansible_connection`).
public enum HostConnection: String, Sendable, Hashable, Codable {
    /// Over SSH (`ssh`, `smart`, `paramiko`: LostMail's own libssh2 client for all of them).
    case ssh
    /// The coordinator's own machine: commands and files without SSH (`local`).
    case local
}

/// Time limits for one host, in seconds.
public struct HostTimeouts: Sendable, Hashable, Codable {
    /// TCP connect plus SSH handshake and authentication (`lostmail_connect_timeout`, default 10).
    public var connect: TimeInterval
    /// One remote command or transfer without progress (`lostmail_command_timeout`, default 300).
    public var command: TimeInterval
    /// Everything LostMail does on the host in one run (`lostmail_host_deadline`, default 3600).
    public var hostDeadline: TimeInterval

    /// The defaults used when the inventory sets nothing.
    public static let defaults = HostTimeouts(connect: 10, command: 300, hostDeadline: 3600)

    public init(connect: TimeInterval, command: TimeInterval, hostDeadline: TimeInterval) {
        self.connect = connect
        self.command = command
        self.hostDeadline = hostDeadline
    }
}

/// One host of the inventory with every variable LostMail uses resolved and validated.
/// (Coordinator's `SSHConfigResolver` then fills what the inventory leaves unset from the
/// host's OpenSSH client config; ``setByInventory(_:)`` tells which settings it gave.)
public struct HostConfig: Sendable, Hashable, Codable {
    /// The inventory name (what `--limit` and reports use).
    public var name: String
    /// `ansible_connection`: SSH (the default) or this machine.
    public var connection: HostConnection
    /// Where to connect: `ansible_host`, else the name.
    public var address: String
    /// `ansible_port`, default 22.
    public var port: Int
    /// `ansible_user`, default `root`.
    public var user: String
    /// `ansible_ssh_private_key_file` (or `ansible_private_key_file`), absolute; nil when unset.
    public var keyFile: URL?
    /// `lostmail_known_hosts`, absolute; nil means the SSH layer's default (~/.ssh/known_hosts).
    public var knownHosts: URL?
    /// `lostmail_host_key_policy`, default strict.
    public var hostKeyPolicy: HostKeyPolicy
    /// ssh_config's `HashKnownHosts`: whether a key accept-new records names the host hashed;
    /// nil: as the known_hosts file already does.
    public var hashKnownHosts: Bool? = nil
    /// `lostmail_ssh_agent`: authenticate through `SSH_AUTH_SOCK` (default false).
    public var useAgent: Bool
    /// `lostmail_pull_compression`: how logs are pulled; nil is `auto` (an older run's plan
    /// has no such key).
    public var pullCompression: PullCompression? = nil
    /// `lostmail_ssh_config`, absolute: the OpenSSH client config to resolve the host with
    /// (nil: `~/.ssh/config` when it exists).
    public var sshConfig: URL?
    /// `ansible_become: true` (method sudo, become user root): log in as ``user`` and run every
    /// remote command through `sudo -n` (default false).
    public var become: Bool
    /// `lostmail_forks` as seen by this host (default 10).
    public var forks: Int
    /// Connect, command and per-host deadlines.
    public var timeouts: HostTimeouts
    /// The bastions to go through, first one connected to directly (`lostmail_jump_host`, or
    /// `-J`/`-o ProxyJump=` in `ansible_ssh_common_args`/`ansible_ssh_extra_args`); empty: direct.
    public var jumpHosts: [JumpHost]
    /// Every group the host belongs to, directly or through a child group, sorted; without `all`.
    public var groups: [String]
    /// All variables of the host after inheritance, including ones LostMail ignores.
    public var vars: [String: ConfigValue]

    public init(name: String, address: String, connection: HostConnection = .ssh, port: Int = 22, user: String = "root",
                keyFile: URL? = nil, knownHosts: URL? = nil,
                hostKeyPolicy: HostKeyPolicy = .strict, useAgent: Bool = false,
                forks: Int = 10, timeouts: HostTimeouts = .defaults, jumpHosts: [JumpHost] = [],
                groups: [String] = [], vars: [String: ConfigValue] = [:], sshConfig: URL? = nil,
                become: Bool = false) {
        self.name = name
        self.address = address
        self.connection = connection
        self.port = port
        self.user = user
        self.keyFile = keyFile
        self.knownHosts = knownHosts
        self.hostKeyPolicy = hostKeyPolicy
        self.useAgent = useAgent
        self.sshConfig = sshConfig
        self.become = become
        self.forks = forks
        self.timeouts = timeouts
        self.jumpHosts = jumpHosts
        self.groups = groups
        self.vars = vars
    }
}

/// A connection setting an inventory var can give and an OpenSSH client config can too.
public enum ConnectionSetting: Sendable, CaseIterable {
    case address, port, user, keyFile, knownHosts, hostKeyPolicy

    /// The vars that set it (Ansible's name first), as `HostResolver` reads them.
    public var vars: [String] {
        switch self {
        case .address: return ["ansible_host", "ansible_ssh_host"]
        case .port: return ["ansible_port", "ansible_ssh_port"]
        case .user: return ["ansible_user", "ansible_ssh_user"]
        case .keyFile: return ["ansible_ssh_private_key_file", "ansible_private_key_file"]
        case .knownHosts: return ["lostmail_known_hosts"]
        case .hostKeyPolicy: return ["lostmail_host_key_policy"]
        }
    }
}

extension HostConfig {
    /// Whether the inventory sets `setting` for this host (so it wins over ssh_config, as in Ansible).
    public func setByInventory(_ setting: ConnectionSetting) -> Bool {
        setting.vars.contains { vars[$0] != nil }
    }
}
