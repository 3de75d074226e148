import ArgumentParser
import Coordinator
import Crypto
import Foundation
import Notify

/// Composes and sends every message as respond's `AccountNotifier` does: compose, then one
/// `NotificationDispatcher` (rate limit, retry) over one `SMTPConnectionReuse` transport.
struct NotifySendPhase {
    let input: NotifyBenchInput
    let composer: NotificationComposer
    let port: Int
    let perConnection: Int
    let ratePerMinute: Int?

    struct Result {
        var seconds: Double
        var cpuSeconds: Double
        var bytes: Int
        var connections: Int
        /// Of `seconds`, the time spent making the bench's input (the lost mails), not LostMail's.
        var inputSeconds: Double
        /// When each message was handed to the transport (seconds from the start).
        var starts: [Double]
    }

    func run() async throws -> Result {
        let configuration = SMTPClientConfiguration(
            host: "127.0.0.1", port: port, policy: SMTPSessionPolicy(heloName: "localhost", tls: .none))
        let transport = SMTPConnectionReuse(
            configuration: configuration, limits: SMTPConnectionReuse.Limits(messagesPerConnection: perConnection))
        let recording = StartRecordingTransport(transport)
        let dispatcher = NotificationDispatcher(
            transport: recording, rateLimiter: RateLimiter(messagesPerMinute: ratePerMinute),
            retry: RetryPolicy(maxAttempts: 3, initialDelay: .seconds(2), multiplier: 2, maxDelay: .seconds(10)))
        let sender = try MailAddress(NotifyBenchInput.sender)
        let clock = ContinuousClock()
        let cpu0 = ResourceUsage.cpuSeconds()
        let began = clock.now
        var bytes = 0
        var inputSeconds = 0.0
        for index in 0..<input.messages {
            let made = clock.now
            let context = input.context(index)
            inputSeconds += (clock.now - made).timeInterval
            let message = try input.compose(context, index: index, with: composer)
            let to = try MailAddress(input.recipient(index))
            let result = await dispatcher.deliver(message, envelopeFrom: sender, recipients: [to])
            guard result.outcomes.first?.status == .accepted else {
                throw ValidationError("message \(index) not accepted: \(result.outcomes) \(result.errors)")
            }
            bytes += message.bytes.count
        }
        await recording.close()
        let seconds = (clock.now - began).timeInterval
        return Result(seconds: seconds, cpuSeconds: ResourceUsage.cpuSeconds() - cpu0, bytes: bytes,
                      connections: await transport.connectionsOpened, inputSeconds: inputSeconds,
                      starts: await recording.starts)
    }
}

/// Composes every message again, timing composition alone (template rendering, the attached
/// list, MIME and quoted-printable, the message's bytes; no network), and writes the messages
/// and a manifest for the reference client.
struct NotifyComposePhase {
    let input: NotifyBenchInput
    let composer: NotificationComposer
    let directory: URL

    struct Result {
        var seconds: [Double]
        var cpuSeconds: Double
        var bytes: Int
        var digests: [String]
        var allDigest: String
        var manifest: URL

        func printSummary(messages: Int) {
            let sorted = seconds.sorted()
            let total = seconds.reduce(0, +)
            let mean = total / Double(max(1, messages))
            print(String(format: "composition alone: %.3f ms/message mean, %.3f median, %.3f max; %.2f s for %d "
                         + "(%.1f MB/s composed, CPU %.2f s); %.1f KB/message",
                         mean * 1e3, sorted[sorted.count / 2] * 1e3, (sorted.last ?? 0) * 1e3, total, messages,
                         Double(bytes) / max(total, 1e-9) / 1e6, cpuSeconds, Double(bytes) / Double(messages) / 1e3))
            print("sha256 of the \(messages) composed messages (concatenated): \(allDigest)")
        }
    }

    func run() throws -> Result {
        let clock = ContinuousClock()
        let messagesFolder = directory.appendingPathComponent("messages")
        try FileManager.default.createDirectory(at: messagesFolder, withIntermediateDirectories: true)
        var seconds: [Double] = []
        var cpu = 0.0
        var digests: [String] = []
        var all = SHA256()
        var bytes = 0
        var manifest = ""
        for index in 0..<input.messages {
            let context = input.context(index)
            let cpu0 = ResourceUsage.cpuSeconds()
            let began = clock.now
            let message = try input.compose(context, index: index, with: composer)
            let data = message.bytes
            seconds.append((clock.now - began).timeInterval)
            cpu += ResourceUsage.cpuSeconds() - cpu0
            bytes += data.count
            digests.append(sha256Hex(data))
            all.update(data: data)
            let file = messagesFolder.appendingPathComponent(String(format: "%05d.eml", index))
            try Data(data).write(to: file)
            manifest += "\(file.path)\t\(NotifyBenchInput.sender)\t\(input.recipient(index))\n"
        }
        let manifestURL = directory.appendingPathComponent("manifest.tsv")
        try manifest.write(to: manifestURL, atomically: true, encoding: .utf8)
        return Result(seconds: seconds, cpuSeconds: cpu, bytes: bytes, digests: digests,
                      allDigest: all.finalize().map { String(format: "%02x", $0) }.joined(), manifest: manifestURL)
    }
}
