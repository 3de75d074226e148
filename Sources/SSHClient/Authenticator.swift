import CLibSSH2
import Foundation

/// Public key authentication: a key file or the keys of ssh-agent.
enum Authenticator {
    static let rsaExplanation = "libssh2 1.10 can only sign with ssh-rsa (RSA with SHA-1), which "
        + "OpenSSH 8.8 and later (here OpenSSH 9) refuse; rsa-sha2-256/512 signatures need libssh2 1.11. "
        + "Use an ed25519 or ecdsa key"

    static func authenticate(_ handle: SessionHandle, user: String, with method: SSHAuthentication) throws {
        switch method {
        case .keyFile(let path, let passphrase):
            try keyFile(handle, user: user, path: path, passphrase: passphrase)
        case .agent(let socketPath):
            try agent(handle, user: user, socketPath: socketPath)
        }
    }

    private static func keyFile(_ handle: SessionHandle, user: String, path: String, passphrase: String?) throws {
        let operation = "authenticate \(user) with key \(path)"
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw SSHError(.keyFile, operation: operation, message: "key file \(path) is missing or unreadable",
                           host: handle.endpoint)
        }
        if let mode = KeyFileInspector.unprotectedMode(ofPrivateKeyAt: path) {
            let octal = "0" + String(mode, radix: 8)
            throw SSHError(.unprotectedKeyFile, operation: operation,
                           message: "UNPROTECTED PRIVATE KEY FILE: \(path) has mode \(octal), so others may read "
                               + "or replace it; refusing to use it (as OpenSSH does): run chmod 600 \(path)",
                           host: handle.endpoint)
        }
        let algorithm = KeyFileInspector.algorithm(ofPrivateKeyAt: path)
        if KeyFileInspector.isRSA(algorithm) {
            throw SSHError(.unsupportedKey, operation: operation,
                           message: "\(path) is an RSA key: \(rsaExplanation)", host: handle.endpoint)
        }
        let publicPath = path + ".pub"
        let hasPublic = FileManager.default.isReadableFile(atPath: publicPath)
        let rc = libssh2_userauth_publickey_fromfile_ex(handle.raw, user, UInt32(user.utf8.count),
                                                         hasPublic ? publicPath : nil, path, passphrase ?? "")
        guard rc != 0 else { return }
        switch rc {
        case LIBSSH2_ERROR_FILE:
            let detail = handle.lastError().message
            throw SSHError(.keyFile, operation: operation, code: rc,
                           message: "cannot use key \(path) (\(detail)); wrong or missing passphrase, "
                               + "or a format libssh2 does not read", host: handle.endpoint)
        case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED where handle.lastError().message.contains("Callback"):
            // The server accepted the public key but signing failed locally: the private key
            // could not be decrypted.
            throw SSHError(.keyFile, operation: operation, code: rc,
                           message: "cannot sign with key \(path): wrong or missing passphrase, or a "
                               + "format libssh2 does not read", host: handle.endpoint)
        case LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
            let detail = handle.lastError().message
            throw SSHError(.authenticationFailed, operation: operation, code: rc,
                           message: "the server refused key \(path) for user \(user) (\(detail))",
                           host: handle.endpoint)
        default:
            throw handle.error(.authenticationFailed, operation, code: rc)
        }
    }

    private static func agent(_ handle: SessionHandle, user: String, socketPath: String?) throws {
        let operation = "authenticate \(user) with ssh-agent"
        let agent = try Agent(handle: handle, socketPath: socketPath)
        defer { agent.disconnect() }
        let identities = try agent.identities()
        guard !identities.isEmpty else {
            throw SSHError(.agent, operation: operation, message: "ssh-agent holds no keys (ssh-add one)",
                           host: handle.endpoint)
        }
        let usable = identities.filter { !KeyFileInspector.isRSA($0.algorithm) }
        guard !usable.isEmpty else {
            throw SSHError(.unsupportedKey, operation: operation,
                           message: "ssh-agent holds only RSA keys: \(rsaExplanation)", host: handle.endpoint)
        }
        var refused: [String] = []
        for identity in usable {
            let rc = agent.authenticate(user: user, identity: identity)
            if rc == 0 { return }
            if rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED || rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED {
                refused.append("\(identity.algorithm ?? "?") \(identity.comment)")
                continue
            }
            throw handle.error(.agent, operation, code: rc)
        }
        throw SSHError(.authenticationFailed, operation: operation, code: LIBSSH2_ERROR_AUTHENTICATION_FAILED,
                       message: "the server refused every agent key for user \(user): "
                           + refused.joined(separator: ", "), host: handle.endpoint)
    }
}
