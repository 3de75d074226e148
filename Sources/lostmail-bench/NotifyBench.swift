import ArgumentParser
import Crypto
import Foundation
import Notify

/// `lostmail-bench notify`: the notification phase of a real-size incident. Composes and sends
/// realistic notifications as respond does (Notify's composer, dispatcher with rate limit and
/// retry, `SMTPConnectionReuse`) to an aiosmtpd sink on 127.0.0.1, beside Python's smtplib
/// sending the same pre-built messages to the same server; composition is also timed alone.
struct NotifyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Compose and send realistic notifications over SMTP on loopback, beside Python's smtplib.")

    @Option(help: "Messages (accounts to tell).")
    var messages = 472

    @Option(help: "Lost mails listed per message.")
    var entries = 1000

    @Option(help: "notification.inline_entries: lost mails in the text; the complete list is attached.")
    var inlineEntries = 50

    @Option(help: "Messages per SMTP connection (SMTPConnectionReuse and the reference).")
    var perConnection = 100

    @Option(help: "notification.rate_per_minute (default: no limit, as the issue measured).")
    var ratePerMinute: Int?

    @Option(help: "The notification template.")
    var template = "Playbooks/templates/lost-mails.de.mustache"

    @Flag(help: "Only compose (no server, no sending): for profiling the composition.")
    var composeOnly = false

    @Flag(help: "Keep the working folder (the composed messages and the server's log).")
    var keep = false

    func run() async throws {
        guard messages > 0, entries > 0, inlineEntries > 0, perConnection > 0 else {
            throw ValidationError("--messages, --entries, --inline-entries and --per-connection must be positive")
        }
        let input = NotifyBenchInput(messages: messages, entries: entries, inlineLimit: inlineEntries)
        let composer = NotificationComposer(template: try NotificationTemplate(path: template),
                                            from: NotifyBenchInput.sender, fromName: NotifyBenchInput.senderName)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lostmail-notify-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(at: directory) } }
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
        print("notify: \(messages) messages, \(entries) lost mails each (\(inlineEntries) inline, all attached), "
              + "\(perConnection) per connection, rate limit \(ratePerMinute.map { "\($0)/min" } ?? "none"); "
              + "load \(load?.joined(separator: " ") ?? "?")")

        if composeOnly {
            try NotifyComposePhase(input: input, composer: composer, directory: directory).run()
                .printSummary(messages: messages)
            return
        }
        let relay = try SinkRelay(directory: directory)
        defer { relay.stop() }
        print("aiosmtpd sink on 127.0.0.1:\(relay.port) (pid \(relay.pid))")

        let serverBeforeOurs = relay.cpuSeconds()
        let sent = try await NotifySendPhase(input: input, composer: composer, port: relay.port,
                                             perConnection: perConnection, ratePerMinute: ratePerMinute).run()
        let peakRSS = ResourceUsage.peakSelfBytes()
        let serverAfterOurs = relay.cpuSeconds()
        let composed = try NotifyComposePhase(input: input, composer: composer, directory: directory).run()
        let serverBeforeReference = relay.cpuSeconds()
        let reference = try SMTPLibReference.run(port: relay.port, manifest: composed.manifest,
                                                 perConnection: perConnection, directory: directory)
        let serverAfterReference = relay.cpuSeconds()
        let received = relay.received()

        var table = NotifyBenchTable()
        table.add(client: "lostmail (compose + send)", messages: messages, seconds: sent.seconds, bytes: sent.bytes,
                  connections: sent.connections, cpu: sent.cpuSeconds, peakRSS: peakRSS,
                  serverCPU: difference(serverBeforeOurs, serverAfterOurs))
        table.add(client: "python3 smtplib (pre-built)", messages: messages, seconds: reference.seconds,
                  bytes: composed.bytes, connections: reference.connections, cpu: reference.cpuSeconds,
                  peakRSS: reference.peakRSS,
                  serverCPU: difference(serverBeforeReference, serverAfterReference))
        table.print()
        print(String(format: "(lostmail's seconds include %.2f s making the bench's input, the lost mails of each message)",
                     sent.inputSeconds))
        composed.printSummary(messages: messages)
        NotifyBenchCheck(composed: composed.digests, received: received, starts: sent.starts,
                         ratePerMinute: ratePerMinute).print()
        if keep { print("kept: \(directory.path)") }
    }
}

/// `after - before`, when both are known.
private func difference(_ before: Double?, _ after: Double?) -> Double? {
    guard let before, let after else { return nil }
    return after - before
}

/// SHA-256 in lower-case hex.
func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}
