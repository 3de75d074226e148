import Foundation

/// Finds the algorithm of a private key file without decrypting it.
///
/// Looks at `<path>.pub` first, then the PEM label, then the public key stored in clear inside
/// an OpenSSH-format private key ("openssh-key-v1": cipher, kdf, kdf options, key count, then
/// the first public key blob, which starts with the algorithm name).
enum KeyFileInspector {
    static func algorithm(ofPrivateKeyAt path: String) -> String? {
        if let pub = try? String(contentsOfFile: path + ".pub", encoding: .utf8),
           let first = pub.split(separator: " ").first {
            return String(first)
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        if text.contains("BEGIN RSA PRIVATE KEY") { return "ssh-rsa" }
        if text.contains("BEGIN EC PRIVATE KEY") { return "ecdsa" }
        if text.contains("BEGIN DSA PRIVATE KEY") { return "ssh-dss" }
        guard text.contains("BEGIN OPENSSH PRIVATE KEY") else { return nil }
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let blob = Data(base64Encoded: body) else { return nil }
        return openSSHPublicKeyAlgorithm(Array(blob))
    }

    static func openSSHPublicKeyAlgorithm(_ bytes: [UInt8]) -> String? {
        let magic = Array("openssh-key-v1".utf8) + [0]
        guard bytes.count > magic.count, Array(bytes[0..<magic.count]) == magic else { return nil }
        var offset = magic.count
        func uint32() -> Int? {
            guard offset + 4 <= bytes.count else { return nil }
            defer { offset += 4 }
            return Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16
                | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
        }
        func skipString() -> Bool {
            guard let length = uint32(), offset + length <= bytes.count else { return false }
            offset += length
            return true
        }
        guard skipString(), skipString(), skipString(), let count = uint32(), count >= 1,
              let publicLength = uint32(), offset + publicLength <= bytes.count else { return nil }
        return bytes[offset..<(offset + publicLength)].withUnsafeBytes { keyBlobAlgorithm($0) }
    }

    /// The mode of a private key file that group or others may access (read, write or
    /// execute), nil when it is private. Like OpenSSH (`sshkey_perm_ok`), only a file owned by
    /// the current user is judged; the symlink's target is what counts.
    static func unprotectedMode(ofPrivateKeyAt path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_uid == getuid() else { return nil }
        let mode = Int(info.st_mode) & 0o777
        return mode & 0o077 != 0 ? mode : nil
    }

    /// True for RSA algorithms (which libssh2 1.10 cannot use against OpenSSH 9).
    static func isRSA(_ algorithm: String?) -> Bool {
        guard let algorithm else { return false }
        return algorithm == "ssh-rsa" || algorithm.hasPrefix("rsa-sha2") || algorithm.contains("ssh-rsa-cert")
    }
}
