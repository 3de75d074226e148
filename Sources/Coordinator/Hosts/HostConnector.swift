import LostMailConfig

/// Opens the connection to a host (over SSH in production; locally in some tests).
public typealias HostConnector = @Sendable (HostConfig) throws -> any RemoteHost
