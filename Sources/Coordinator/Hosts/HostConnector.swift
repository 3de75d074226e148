import LostMailConfig

/// Opens the connection to a host (over SSH in production; locally in some tests).
public typealias HostConnector = @Sendable (HostConfig) throws -> any RemoteHost

/// The connectors LostMail's commands use.
public enum HostConnectors {
    /// By the host's `ansible_connection`: SSH (``SSHConnector``, through sudo for
    /// `ansible_become`), or this machine (``LocalHost``).
    public static let standard: HostConnector = { host in
        switch host.connection {
        case .ssh: return try SSHConnector().connectRemote(host)
        case .local: return LocalHost(name: host.name)
        }
    }
}
