import Foundation

/// Delivers through the local MTA: pipes the message to `sendmail -t -i -f <sender>`.
///
/// Exit status mapping: 0 accepted; 75 (EX_TEMPFAIL) or 111 (qmail temporary) temporary
/// failure; 65, 67, 68, 77 (sysexits) or 100 (qmail permanent) permanent failure; anything
/// else (or death by signal) a local error. Sets SIGPIPE to ignored (process-wide) while
/// writing to the pipe, as any program writing to pipes must. With `-t` the recipients are taken from the
/// message's `To:` header, which ``MIMEMessageBuilder`` has validated.
public struct SendmailTransport: MailTransport {
    /// The sendmail binary.
    public let path: String
    /// Arguments before `-f <sender>`; `-t -i` by default.
    public let arguments: [String]

    /// Creates a transport using `path` (default `/usr/sbin/sendmail`).
    public init(path: String = "/usr/sbin/sendmail", arguments: [String] = ["-t", "-i"]) {
        self.path = path
        self.arguments = arguments
    }

    /// Maps a sendmail exit status to a recipient status.
    public static func status(forExitCode code: Int32) -> RecipientOutcome.Status {
        switch code {
        case 0: return .accepted
        case 75, 111: return .temporaryFailure
        case 65, 67, 68, 77, 100: return .permanentFailure
        default: return .localError
        }
    }

    public func send(_ message: MIMEMessage, envelopeFrom: MailAddress, recipients: [MailAddress]) async throws -> DeliveryReceipt {
        let (status, reason, stderr) = try await run(input: Data(message.bytes), sender: envelopeFrom.address)
        let outcome: RecipientOutcome.Status = reason == .exit ? Self.status(forExitCode: status) : .localError
        let how = reason == .exit ? "exited with status \(status)" : "was killed by signal \(status)"
        var detail = "\(path) \(how)"
        let trimmed = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.isEmpty { detail += ": \(trimmed)" }
        return DeliveryReceipt(
            messageID: message.messageID, envelopeFrom: envelopeFrom.address,
            outcomes: recipients.map { RecipientOutcome(recipient: $0.address, status: outcome, reply: nil, detail: detail) },
            dataReply: nil, transcript: [])
    }

    private func run(input: Data, sender: String) async throws -> (Int32, Process.TerminationReason, String) {
        // If sendmail exits before reading everything, writing must not kill us with SIGPIPE.
        _ = signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments + ["-f", sender]
        let stdin = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        let finished = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in finished.continuation.yield(); finished.continuation.finish() }
        do {
            try process.run()
        } catch {
            throw SendmailError(path: path, detail: String(describing: error))
        }
        let errorReader = Task.detached { stderr.fileHandleForReading.readDataToEndOfFile() }
        let writer = Task.detached {
            // A sendmail that exits early closes the pipe; the write error is then irrelevant.
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
        }
        for await _ in finished.stream {}
        await writer.value
        let errorText = String(decoding: await errorReader.value, as: UTF8.self)
        return (process.terminationStatus, process.terminationReason, errorText)
    }
}

/// The sendmail program could not be started.
public struct SendmailError: Error, Sendable, CustomStringConvertible {
    /// The program path.
    public let path: String
    /// Why it could not be started.
    public let detail: String

    public var description: String { "Cannot run \(path): \(detail)" }
}
