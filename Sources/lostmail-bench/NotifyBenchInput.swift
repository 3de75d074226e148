import Foundation
import Notify

/// The notifications `lostmail-bench notify` composes: one per account, each listing `entries`
/// lost mails of one incident hour as respond lists them (the account file's line, its stamp,
/// sender, recipient and fate), the same for a given index on every run.
struct NotifyBenchInput {
    let messages: Int
    let entries: Int
    let inlineLimit: Int

    static let sender = "noc@schwarzwald-hosting.de"
    static let senderName = "Schwarzwald Hosting NOC"
    static let subject = "Störung auf unserem Mailserver: nicht zugestellte E-Mails"
    /// A fixed Date header (Sun, 29 Nov 2026 07:00:00 +0000), so the same input gives the same bytes.
    static let date = Date(timeIntervalSince1970: 1_795_935_600)

    private static let senders = ["alice", "bob", "info", "kontakt", "buchhaltung", "m.mueller", "vertrieb",
                                  "noreply", "s.schmidt", "office", "rechnung", "support"]
    private static let remoteDomains = ["firma-geschlossen.de", "gmx.de", "web.de", "t-online.de", "example.com",
                                        "b\\xc3\\xa4ckerei-kunde.example", "kanzlei-nord.de", "verein-sued.org"]

    private static let twoDigits = (0..<60).map { $0 < 10 ? "0\($0)" : "\($0)" }

    /// The account of message `index`.
    func account(_ index: Int) -> String { String(format: "web%04d", index + 1) }

    /// The envelope recipient of message `index`.
    func recipient(_ index: Int) -> String { "\(account(index))@kunde\(index % 97).example" }

    /// The Message-ID local part of message `index` (fixed, as the journal fixes it in respond).
    func messageIDLocalPart(_ index: Int) -> String { "lostmail.1.bench-\(index)" }

    /// The context of message `index`: `entries` lost mails in time order between 05:00 and 06:00.
    func context(_ index: Int) -> NotificationContext {
        var random = SplitMix64(seed: 0x6C6F_7374 &+ UInt64(index))
        let account = account(index)
        let ownDomain = "\(account)-example.de"
        var seconds = (0..<entries).map { _ in random.below(3600) }
        seconds.sort()
        var list: [NotificationEntry] = []
        list.reserveCapacity(entries)
        for second in seconds {
            let stamp = "Sun Nov 29 05:" + Self.twoDigits[second / 60] + ":" + Self.twoDigits[second % 60] + " 2026"
            let from = Self.senders[random.below(Self.senders.count)] + "@" + ownDomain
            let to = Self.senders[random.below(Self.senders.count)] + "@"
                + Self.remoteDomains[random.below(Self.remoteDomains.count)]
            let fate: NotificationEntry.Fate = [.senderTold, .senderNotTold, .unknown][random.below(3)]
            list.append(NotificationEntry(time: stamp, sender: from, recipient: to, fate: fate,
                                          line: stamp + " from=" + from + " to=" + to))
        }
        return NotificationContext(
            account: account, host: "mx\(index % 8 + 1).schwarzwald-hosting.de", entries: list,
            filePath: "~/logs/lost-mails.log", announcementURL: "https://status.schwarzwald-hosting.de/2026-11-29",
            windowFrom: "29.11.2026 05:00", windowUntil: "29.11.2026 06:00", language: "de",
            inlineLimit: inlineLimit)
    }

    /// Message `index` composed from its `context` as respond composes it.
    func compose(_ context: NotificationContext, index: Int, with composer: NotificationComposer) throws -> MIMEMessage {
        try composer.compose(context, to: [recipient(index)], subject: Self.subject, date: Self.date,
                             messageIDLocalPart: messageIDLocalPart(index))
    }
}
