import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Opens the transport of a session: a TCP connection, or a chain of bastions.
///
/// For jumps `[b1, b2]` and target `t`: TCP to b1; session to b1 (handshake, b1's host key
/// checked against the name b1, authentication); a `direct-tcpip` channel from b1 to b2, bridged
/// to a socket pair by a ``JumpTunnel``; session to b2 over that socket; a channel from b2 to
/// t; the last tunnel's socket is the target session's. Every bastion session then belongs to
/// its tunnel's pump thread alone.
enum JumpChain {
    static func connect(_ options: SSHConnectOptions) throws -> (socket: Int32, tunnels: [JumpTunnel]) {
        guard let first = options.jumps.first else {
            let socket = try SocketConnector.connect(host: options.host, port: options.port,
                                                     timeout: options.timeouts.connect)
            return (socket, [])
        }
        let count = options.jumps.count
        var tunnels: [JumpTunnel] = []
        var socket: Int32
        do {
            socket = try SocketConnector.connect(host: first.host, port: first.port, timeout: options.timeouts.connect)
        } catch let error as SSHError {
            throw error.atJump(label(0, count, options))
        }
        for (index, jump) in options.jumps.enumerated() {
            let label = label(index, count, options)
            var hop = options
            hop.host = jump.host
            hop.port = jump.port
            hop.user = jump.user
            hop.jumps = []
            let next = index + 1 < count
                ? (host: options.jumps[index + 1].host, port: options.jumps[index + 1].port)
                : (host: options.host, port: options.port)
            do {
                let session = try SSHSession(hop, socket: socket, tunnels: [])
                let tunnel = try JumpTunnel(session: session, to: next.host, port: next.port,
                                            timeout: options.timeouts.connect, label: label)
                tunnels.append(tunnel)
                socket = tunnel.takePeerSocket()
            } catch let error as SSHError {
                throw error.atJump(label)
            }
        }
        // Every bastion is reached through the tunnels before it: they go with the last one.
        return (socket, tunnels)
    }

    /// "jump host 1 of 2 on the way to 10.0.0.5:22".
    private static func label(_ index: Int, _ count: Int, _ options: SSHConnectOptions) -> String {
        "jump host \(index + 1) of \(count) on the way to \(options.endpoint)"
    }
}
