import CLibSSH2
import Foundation

extension SSHSession {
    /// Runs a command; `arguments` are quoted by `ShellQuote` (never spliced into shell text).
    ///
    /// stdout and stderr are read as data arrives, so megabytes on both never deadlock.
    /// - Parameters:
    ///   - stdin: bytes sent to the command's stdin, then EOF (EOF right away when nil).
    ///   - timeout: total deadline in seconds (default: the session's command timeout).
    public func run(_ arguments: [String], stdin: Data? = nil, timeout: Double? = nil) throws -> CommandResult {
        var output = Data()
        var result = try run(arguments, stdinSource: Self.source(stdin), timeout: timeout) { output.append($0) }
        result.stdout = output
        return result
    }

    /// Runs a command and hands each stdout chunk to `consumer` as it arrives (the result's
    /// `stdout` stays empty). A throwing consumer aborts the command; the error is rethrown.
    public func run(_ arguments: [String], stdin: Data? = nil, timeout: Double? = nil,
                    stdout consumer: (Data) throws -> Void) throws -> CommandResult {
        try run(arguments, stdinSource: Self.source(stdin), timeout: timeout, stdout: consumer)
    }

    /// The general form: stdin is pulled from `stdinSource` (return nil at end of input) while
    /// stdout chunks go to `consumer` and stderr is collected.
    public func run(_ arguments: [String], stdinSource: (() throws -> Data?)?, timeout: Double? = nil,
                    stdout consumer: (Data) throws -> Void) throws -> CommandResult {
        let operation = "run \(arguments.first ?? "")"
        try handle.ensureUsable(operation)
        let command: String
        do { command = try ShellQuote.commandLine(arguments) } catch {
            throw SSHError(.channel, operation: operation, message: error.description, host: handle.endpoint)
        }
        let seconds = timeout ?? options.timeouts.command
        let deadline = Date().addingTimeInterval(seconds)
        handle.setBlockingTimeout(min(seconds, options.timeouts.io))
        defer { libssh2_session_set_blocking(handle.raw, 1) }
        // Declared outside `do` so that on failure the session is marked unusable before the
        // channel is freed (freeing then waits at most 1 s instead of for the remote command).
        var channel: ExecChannel?
        do {
            let opened = try ExecChannel(handle: handle, command: command)
            channel = opened
            handle.setBlockingTimeout(options.timeouts.io)
            libssh2_session_set_blocking(handle.raw, 0)
            var pump = ChannelPump(handle: handle, channel: opened.raw, deadline: deadline, operation: operation,
                                   timeout: seconds)
            let stderr = try pump.transfer(stdinSource: stdinSource, stdout: consumer)
            let (status, signal) = try pump.finish()
            return CommandResult(stdout: Data(), stderr: stderr, exitStatus: signal == nil ? status : nil,
                                 exitSignal: signal)
        } catch let error as SSHError {
            if channel != nil, handle.brokenReason == nil, error.kind != .channel {
                handle.brokenReason = "\(operation): \(error.message)"
            }
            channel = nil
            throw error
        } catch {
            // The caller's stdin source or stdout consumer gave up mid-stream: the channel
            // cannot be drained, so the session is abandoned.
            handle.brokenReason = "\(operation) aborted by the caller: \(error)"
            channel = nil
            throw error
        }
    }

    private static func source(_ data: Data?) -> (() throws -> Data?)? {
        guard let data else { return nil }
        var sent = false
        return {
            if sent { return nil }
            sent = true
            return data
        }
    }
}
