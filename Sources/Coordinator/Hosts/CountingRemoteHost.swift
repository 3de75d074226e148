import Foundation

/// What an audit moved over the connection to a host (payload bytes, not SSH framing).
public struct AuditTraffic: Sendable, Equatable, Codable {
    /// Directory listings done, and the entries they returned.
    public var listings = 0
    public var listedEntries = 0
    /// Commands run (`head`, `tail`), and the bytes of their output.
    public var commands = 0
    public var commandBytes: Int64 = 0
    /// Archives downloaded, and their bytes.
    public var downloads = 0
    public var downloadBytes: Int64 = 0

    public init() {}

    /// Bytes received, counting ~96 bytes per listed entry (name and attributes in SFTP).
    public var approximateBytes: Int64 { Int64(listedEntries) * 96 + commandBytes + downloadBytes }

    public static func + (a: AuditTraffic, b: AuditTraffic) -> AuditTraffic {
        var sum = a
        sum.listings += b.listings
        sum.listedEntries += b.listedEntries
        sum.commands += b.commands
        sum.commandBytes += b.commandBytes
        sum.downloads += b.downloads
        sum.downloadBytes += b.downloadBytes
        return sum
    }
}

/// A host wrapped to count what the audit moves (for the audit's summary and the benchmark).
final class CountingRemoteHost: @unchecked Sendable {  // used only on its host's thread (FanOut)
    let remote: any RemoteHost
    private(set) var traffic = AuditTraffic()

    init(_ remote: any RemoteHost) { self.remote = remote }

    func list(directory: String) throws -> [RemoteFileInfo] {
        let entries = try remote.list(directory: directory)
        traffic.listings += 1
        traffic.listedEntries += entries.count
        return entries
    }

    /// Runs `arguments` and returns its stdout; a non-zero exit is an ``AuditHostError``.
    func check(_ arguments: [String], timeout: Duration) throws -> Data {
        let result = try remote.run(arguments: arguments, stdin: Data(), timeout: timeout)
        traffic.commands += 1
        traffic.commandBytes += Int64(result.stdout.count + result.stderr.count)
        guard result.status == 0 else {
            throw AuditHostError(host: remote.name, operation: arguments.joined(separator: " "),
                                 message: "exit status \(result.status): "
                                    + result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return result.stdout
    }

    func download(path: String, to local: URL, resume: Bool) throws -> DownloadResult {
        let result = try remote.download(path: path, to: local, resume: resume)
        traffic.downloads += 1
        traffic.downloadBytes += Int64(result.transferred)
        return result
    }
}
