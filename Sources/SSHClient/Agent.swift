import CLibSSH2
import Foundation

/// Owner of a `LIBSSH2_AGENT` connection. Holds the session handle strongly, so it is freed
/// before the session (the other order crashed).
final class Agent {
    struct Identity {
        let raw: UnsafeMutablePointer<libssh2_agent_publickey>
        let algorithm: String?
        let comment: String
    }

    private let raw: OpaquePointer
    private let handle: SessionHandle
    private var connected = false

    init(handle: SessionHandle, socketPath: String?) throws {
        let operation = "connect to ssh-agent"
        guard let raw = libssh2_agent_init(handle.raw) else {
            throw handle.error(.agent, operation, code: handle.lastError().code)
        }
        self.raw = raw
        self.handle = handle
        let path = socketPath ?? ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"]
        guard let path, !path.isEmpty else {
            throw SSHError(.agent, operation: operation,
                           message: "no ssh-agent: SSH_AUTH_SOCK is not set", host: handle.endpoint)
        }
        libssh2_agent_set_identity_path(raw, path)
        let rc = libssh2_agent_connect(raw)
        guard rc == 0 else {
            throw SSHError(.agent, operation: operation, code: rc,
                           message: "cannot reach ssh-agent at \(path): \(handle.lastError().message)",
                           host: handle.endpoint)
        }
        connected = true
    }

    deinit {
        disconnect()
        libssh2_agent_free(raw)
    }

    func disconnect() {
        if connected { _ = libssh2_agent_disconnect(raw); connected = false }
    }

    func identities() throws -> [Identity] {
        let rc = libssh2_agent_list_identities(raw)
        guard rc == 0 else { throw handle.error(.agent, "list ssh-agent keys", code: rc) }
        var result: [Identity] = []
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        while true {
            var current: UnsafeMutablePointer<libssh2_agent_publickey>?
            let status = libssh2_agent_get_identity(raw, &current, previous)
            if status == 1 { break }
            guard status == 0, let identity = current else {
                throw handle.error(.agent, "read ssh-agent key", code: status)
            }
            let algorithm = identity.pointee.blob.map {
                keyBlobAlgorithm(UnsafeRawBufferPointer(start: $0, count: identity.pointee.blob_len))
            } ?? nil
            let comment = identity.pointee.comment.map { String(cString: $0) } ?? ""
            result.append(Identity(raw: identity, algorithm: algorithm, comment: comment))
            previous = identity
        }
        return result
    }

    func authenticate(user: String, identity: Identity) -> Int32 {
        libssh2_agent_userauth(raw, user, identity.raw)
    }
}
