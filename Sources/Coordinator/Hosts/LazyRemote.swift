import Foundation
import LostMailConfig

/// Connects on first use, so a resumed host whose steps are all done is never contacted.
final class LazyRemote: @unchecked Sendable {  // used by one thread at a time: its host's (FanOut), or the account writes it waits for
    private let host: HostConfig
    private let connector: HostConnector
    private var remote: (any RemoteHost)?

    init(host: HostConfig, connector: @escaping HostConnector) {
        self.host = host
        self.connector = connector
    }

    func get() throws -> any RemoteHost {
        if let remote { return remote }
        let made = try connector(host)
        remote = made
        return made
    }

    /// Forgets the connection if an earlier failure left it unusable (``RemoteHost/isUsable``),
    /// so the next ``get()`` connects again.
    func discardIfUnusable() {
        if let current = remote, !current.isUsable { remote = nil }
    }
}
