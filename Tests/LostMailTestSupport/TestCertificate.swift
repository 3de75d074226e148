import Foundation

/// A self-signed certificate made with `openssl req` for the test relay.
public struct TestCertificate: Sendable {
    /// The PEM certificate.
    public let certificatePath: String
    /// The PEM private key (unencrypted).
    public let keyPath: String

    /// Makes `cert.pem` and `key.pem` in `directory` (created if needed). With `ipAddress` the
    /// certificate also names 127.0.0.1 (NIOSSL then accepts it for any server name on it).
    public static func make(in directory: URL, commonName: String = "relay.test",
                            ipAddress: Bool = true) throws -> TestCertificate {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let names = "subjectAltName=DNS:\(commonName)" + (ipAddress ? ",IP:127.0.0.1" : "")
        try ProcessRunner.shell(["/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                                 "-subj", "/CN=\(commonName)", "-addext", names, "-keyout", key, "-out", cert])
        return TestCertificate(certificatePath: cert, keyPath: key)
    }
}
