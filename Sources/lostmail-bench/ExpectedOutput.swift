import Foundation

/// Writes the ground truth of a generated log: `expected/<account>/lost-mails.log`, one line
/// per lost delivery for each account it belongs to, in the form LostMail must produce
/// (`Sun Nov 29 06:13:57 2026 from=a@b to=c@d`, ctime in the given time zone, sorted by time).
struct ExpectedOutput {
    let host: HostModel
    let timeZone: TimeZone

    /// Writes the files under `root/expected`; returns how many lines were written.
    @discardableResult
    func write(_ lost: [LostDelivery], root: URL) throws -> Int {
        var perAccount = [[String]](repeating: [], count: host.accounts.count)
        for delivery in lost.sorted(by: { $0.time < $1.time }) {
            let line = "\(ctime(delivery.time / 1_000_000_000)) from=\(text(delivery.sender)) to=\(text(delivery.recipient))"
            for account in delivery.accounts(in: host) { perAccount[account].append(line) }
        }
        var written = 0
        for (index, lines) in perAccount.enumerated() where !lines.isEmpty {
            let folder = root.appendingPathComponent("expected/\(host.accounts[index].user)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try (lines.joined(separator: "\n") + "\n")
                .write(to: folder.appendingPathComponent("lost-mails.log"), atomically: true, encoding: .utf8)
            written += lines.count
        }
        return written
    }

    private func text(_ id: Int32) -> String { String(decoding: host.text(id), as: UTF8.self) }

    /// C's ctime layout without the newline: `Www Mmm dd hh:mm:ss yyyy`, day padded with a space.
    func ctime(_ unixSeconds: UInt64) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let date = Date(timeIntervalSince1970: TimeInterval(unixSeconds))
        let parts = calendar.dateComponents([.weekday, .month, .day, .hour, .minute, .second, .year], from: date)
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return String(format: "%@ %@ %2d %02d:%02d:%02d %d", weekdays[(parts.weekday ?? 1) - 1],
                      months[(parts.month ?? 1) - 1], parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0,
                      parts.second ?? 0, parts.year ?? 0)
    }
}
