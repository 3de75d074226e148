import LostMailTestSupport
import SSHClient
import XCTest

extension SSHTestFleet {
    /// Connect options for host `host` as root on port 2222, with the fleet's client key and
    /// known_hosts unless others are given.
    func options(host: Int, authentication: SSHAuthentication? = nil, knownHosts: String? = nil,
                 policy: HostKeyPolicy = .strict, timeouts: SSHTimeouts = SSHTimeouts()) -> SSHConnectOptions {
        SSHConnectOptions(host: address(host), port: 2222, user: "root",
                          authentication: authentication ?? .keyFile(path: clientKey),
                          knownHostsPath: knownHosts ?? self.knownHosts, hostKeyPolicy: policy, timeouts: timeouts)
    }

    func connect(_ host: Int = 1) throws -> SSHSession {
        try SSHSession(options(host: host))
    }
}

/// Expects `body` to throw an SSHError and returns it.
func expectSSHError<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> SSHError? {
    do {
        _ = try body()
        XCTFail("expected an SSHError, got success", file: file, line: line)
    } catch let error as SSHError {
        return error
    } catch {
        XCTFail("expected an SSHError, got \(error)", file: file, line: line)
    }
    return nil
}
