import Foundation
import LostMailTestSupport
import XCTest

/// A copy of the shared corpus whose qmail-send log gains messages from web1's domain
/// (alice-example.de, uid 1003) whose remote deliveries fail with Unable_to_run_qmail-remote
/// inside the incident window, with hostile addresses: shell metacharacters, a 10 kB local
/// part, raw bytes > 126 and qmail's `_` escapes. `lines` are the account-file lines the
/// analysis core's contract gives for them (LostMailFormatter/SafeText: bytes 33...126 except
/// `\` kept, every other byte `\xHH`, fields cut at 2048 bytes with `...`).
struct HostileLog {
    /// Files a successful injection would create.
    static let markers = ["/tmp/pwned", "/tmp/pwned2", "/tmp/pwned3", "/tmp/pwned4"]

    let root: String
    let lines: [String]

    /// (sender, recipient) of each crafted lost delivery, as raw log bytes.
    static var deliveries: [([UInt8], [UInt8])] {
        let alice = Array("alice@alice-example.de".utf8)
        var long = Array(repeating: UInt8(ascii: "a"), count: 10_240)
        long += Array("@evil.example".utf8)
        return [
            (Array("$(touch /tmp/pwned)@alice-example.de".utf8), Array("`touch /tmp/pwned2`@evil.example".utf8)),
            (alice, Array(";touch /tmp/pwned3;|sh&@evil.example".utf8)),
            (alice, Array("'$(touch${IFS}/tmp/pwned4)'\"\\\"@evil.example".utf8)),
            (alice, long),
            (alice, Array("caf".utf8) + [0xC3, 0xA9, 0xFF, 0xFE, 0x80, 0x0D, 0x00, 0x1B, 0x5B, 0x32, 0x4A, 0x09, 0x7F] + Array("@evil.example".utf8)),
            (alice, Array("caf___@evil.example".utf8)),
        ]
    }

    /// Copies the corpus's host tree to `directory` and inserts the crafted messages into the
    /// send log file that covers 05:16:00 UTC (inside the playbook's window).
    static func make(in directory: String) throws -> HostileLog {
        try? FileManager.default.removeItem(atPath: directory)
        try ProcessRunner.shell(["/bin/mkdir", "-p", directory])
        try ProcessRunner.shell(["/bin/cp", "-R", TestPaths.corpus.appendingPathComponent("host").path, directory + "/host"])
        try ProcessRunner.shell(["/bin/chmod", "-R", "u+w", directory])
        let send = directory + "/host/var/log/qmail/send"
        let target: UInt64 = (1 << 62) + 10 + 1_795_929_360  // 2026-11-29T05:16:00Z as TAI64
        for name in try FileManager.default.contentsOfDirectory(atPath: send).sorted() {
            let path = "\(send)/\(name)"
            var content = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            var offset = 0
            var insertAt: Int?
            var label: [UInt8] = []
            while offset < content.count {
                let end = content[offset...].firstIndex(of: 0x0A) ?? content.count
                let line = Array(content[offset..<end])
                if line.count > 25, line[0] == UInt8(ascii: "@"),
                   let seconds = UInt64(String(decoding: line[1..<17], as: UTF8.self), radix: 16) {
                    if seconds >= target { insertAt = offset; break }
                    label = Array(line[0..<25])
                }
                offset = end + 1
            }
            guard let insertAt, !label.isEmpty else { continue }
            var block: [UInt8] = []
            for (index, delivery) in deliveries.enumerated() {
                let msg = "\(9_900_001 + index)"
                let number = "\(90_001 + index)"
                func add(_ text: [UInt8]) { block += label + [0x20] + text + [0x0A] }
                add(Array("new msg \(msg)".utf8))
                add(Array("info msg \(msg): bytes 321 from <".utf8) + delivery.0 + Array("> qp 4242\(index) uid 1003".utf8))
                add(Array("starting delivery \(number): msg \(msg) to remote ".utf8) + delivery.1)
                add(Array("delivery \(number): failure: Unable_to_run_qmail-remote./".utf8))
                add(Array("end msg \(msg)".utf8))
            }
            content.insert(contentsOf: block, at: insertAt)
            try Data(content).write(to: URL(fileURLWithPath: path))
            let seconds = UInt64(String(decoding: label[1..<17], as: UTF8.self), radix: 16)! - (1 << 62) - 10
            let time = ctime(Date(timeIntervalSince1970: TimeInterval(seconds)))
            let lines = deliveries.map { "\(time) from=\(safe($0.0)) to=\(safe($0.1))" }
            return HostileLog(root: directory, lines: lines)
        }
        throw ProcessFailure(command: "HostileLog.make", status: -1, output: "no send log line at or after 05:16:00Z in \(send)")
    }

    /// The contract's escaping of an untrusted field (see the type's comment).
    static func safe(_ bytes: [UInt8]) -> String {
        let cut = bytes.count > 2048
        var out = ""
        for byte in bytes.prefix(2048) {
            if byte > 32 && byte < 127 && byte != 92 { out.append(Character(Unicode.Scalar(byte))) }
            else { out += String(format: "\\x%02x", byte) }
        }
        return cut ? out + "..." : out
    }

    /// `Sun Nov 29 06:16:00 2026` in Europe/Berlin (the playbook's display zone).
    static func ctime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Berlin")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let day = c.day! < 10 ? " \(c.day!)" : "\(c.day!)"
        return "\(days[c.weekday! - 1]) \(months[c.month! - 1]) \(day) "
            + String(format: "%02d:%02d:%02d", c.hour!, c.minute!, c.second!) + " \(c.year!)"
    }
}
