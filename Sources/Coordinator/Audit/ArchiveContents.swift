import Foundation
import LogInput

/// The decompressed bytes of a downloaded log archive (gzip, bzip2, xz or plain).
enum ArchiveContents {
    static func read(_ file: URL, host: String, path: String) throws -> Data {
        do { return try readAll(file) } catch {
            throw AuditHostError(host: host, operation: "decompress \(path)", message: "\(error)")
        }
    }

    private static func readAll(_ file: URL) throws -> Data {
        let source = try LogFile(path: file.path).openSource()
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            data.append(contentsOf: buffer[..<count])
        }
        return data
    }
}
