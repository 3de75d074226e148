import CLibSSH2

/// Host key algorithms libssh2 1.10 knows, with their names and libssh2 constants.
enum HostKeyType: CaseIterable {
    case ed25519, ecdsa256, ecdsa384, ecdsa521, rsa, dss

    /// The name in known_hosts and in SSH_MSG_KEXINIT.
    var name: String {
        switch self {
        case .ed25519: return "ssh-ed25519"
        case .ecdsa256: return "ecdsa-sha2-nistp256"
        case .ecdsa384: return "ecdsa-sha2-nistp384"
        case .ecdsa521: return "ecdsa-sha2-nistp521"
        case .rsa: return "ssh-rsa"
        case .dss: return "ssh-dss"
        }
    }

    /// The `LIBSSH2_KNOWNHOST_KEY_*` bits.
    var knownHostMask: Int32 {
        switch self {
        case .ed25519: return LIBSSH2_KNOWNHOST_KEY_ED25519
        case .ecdsa256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256
        case .ecdsa384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384
        case .ecdsa521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521
        case .rsa: return LIBSSH2_KNOWNHOST_KEY_SSHRSA
        case .dss: return LIBSSH2_KNOWNHOST_KEY_SSHDSS
        }
    }

    /// From `libssh2_session_hostkey`'s type.
    init?(sessionType: Int32) {
        switch sessionType {
        case LIBSSH2_HOSTKEY_TYPE_ED25519: self = .ed25519
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: self = .ecdsa256
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: self = .ecdsa384
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: self = .ecdsa521
        case LIBSSH2_HOSTKEY_TYPE_RSA: self = .rsa
        case LIBSSH2_HOSTKEY_TYPE_DSS: self = .dss
        default: return nil
        }
    }
}

/// Reads the leading SSH string (uint32 length + bytes) of a key blob: its algorithm name.
func keyBlobAlgorithm(_ blob: UnsafeRawBufferPointer) -> String? {
    guard blob.count >= 4 else { return nil }
    let length = Int(blob[0]) << 24 | Int(blob[1]) << 16 | Int(blob[2]) << 8 | Int(blob[3])
    guard length > 0, length <= blob.count - 4, length < 128 else { return nil }
    return String(decoding: blob[4..<(4 + length)], as: UTF8.self)
}
