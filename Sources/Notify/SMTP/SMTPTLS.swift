import NIOCore
import NIOSSL

/// Builds the NIOSSL client handler for a relay from its configuration.
enum SMTPTLS {
    /// Makes the TLS context once per session.
    static func makeContext(_ configuration: SMTPClientConfiguration) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch configuration.trustRoots {
        case .system: tls.trustRoots = .default
        case .pemFile(let path): tls.trustRoots = .file(path)
        }
        if configuration.insecureSkipVerify {
            tls.certificateVerification = .none
        } else if !configuration.verifyHostname {
            tls.certificateVerification = .noHostnameVerification
        } else {
            tls.certificateVerification = .fullVerification
        }
        return try NIOSSLContext(configuration: tls)
    }

    /// The name for SNI and hostname verification; nil for IP addresses (verified against the
    /// peer's address instead).
    static func serverHostname(_ configuration: SMTPClientConfiguration) -> String? {
        let name = configuration.serverName ?? configuration.host
        let isIPv4 = name.split(separator: ".").count == 4 && name.allSatisfy { $0.isNumber || $0 == "." }
        return (isIPv4 || name.contains(":")) ? nil : name
    }

    /// Creates the handler (on the channel's event loop).
    static func makeHandler(context: NIOSSLContext, configuration: SMTPClientConfiguration) throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: context, serverHostname: serverHostname(configuration))
    }
}
