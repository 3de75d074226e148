import Foundation
import NIOCore
import NIOPosix

/// Says why a connection to the relay failed in plain words (`connection refused`, `cannot
/// resolve mail.example`), not as NIO's error value dumped with its nested types.
enum ConnectFailure {
    static func plainWords(_ error: any Error) -> String {
        if let failure = error as? NIOConnectionError {
            var reasons: [String] = []
            for single in failure.connectionErrors {
                let reason = plainWords(single.error)
                if !reasons.contains(reason) { reasons.append(reason) }
            }
            if !reasons.isEmpty { return reasons.joined(separator: "; ") }
            if failure.dnsAError != nil || failure.dnsAAAAError != nil { return "cannot resolve \(failure.host)" }
            return "no address to connect to for \(failure.host)"
        }
        if let io = error as? IOError {
            return String(cString: strerror(io.errnoCode)).lowercased()
        }
        if let channel = error as? ChannelError, case .connectTimeout(let after) = channel {
            return "connection timed out after \(Double(after.nanoseconds) / 1e9) s"
        }
        return "connection failed (\(error))"
    }
}
