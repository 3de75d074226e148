/// What one finished program run returned.
public struct ProcessResult: Sendable, CustomStringConvertible {
    /// The exit status (or the signal number when it was killed).
    public let status: Int32
    /// Everything it wrote to stdout.
    public let stdout: String
    /// Everything it wrote to stderr.
    public let stderr: String

    /// Wraps a run's status and output.
    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// The status, then stdout and stderr, for failure messages.
    public var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// A helper program (or a test step) failed.
public struct ProcessFailure: Error, CustomStringConvertible {
    /// The command line, or the step that failed.
    public let command: String
    /// Its exit status (-1 when no program ran).
    public let status: Int32
    /// What it said (stderr), or why the step failed.
    public let output: String

    /// Describes a failed run or step.
    public init(command: String, status: Int32, output: String) {
        self.command = command
        self.status = status
        self.output = output
    }

    /// One operator-readable sentence: the command, its status, what it said.
    public var description: String { "`\(command)` exited with \(status): \(output)" }
}
