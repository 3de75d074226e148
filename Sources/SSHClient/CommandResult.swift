import Foundation

/// The outcome of a remote command.
public struct CommandResult: Sendable, Equatable {
    /// Everything the command wrote to stdout (empty when stdout went to a consumer).
    public var stdout: Data
    /// Everything the command wrote to stderr.
    public var stderr: Data
    /// The exit status, or nil when the command was killed by a signal (or the server sent none).
    public var exitStatus: Int32?
    /// The signal name without "SIG" (e.g. "KILL") when the command was killed by a signal.
    public var exitSignal: String?

    public init(stdout: Data, stderr: Data, exitStatus: Int32?, exitSignal: String?) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitStatus = exitStatus
        self.exitSignal = exitSignal
    }

    /// True when the command exited with status 0.
    public var succeeded: Bool { exitStatus == 0 && exitSignal == nil }

    /// stdout decoded as UTF-8 (invalid bytes replaced).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// stderr decoded as UTF-8 (invalid bytes replaced).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// One entry of a remote directory.
public struct RemoteFileInfo: Sendable, Equatable {
    public var name: String
    public var size: UInt64
    /// Modification time (seconds since 1970).
    public var mtime: Date
    public var isDirectory: Bool
    /// True for a symbolic link (the entry itself, not its target: listings use lstat).
    public var isSymlink: Bool
    /// Permission bits (e.g. 0o644).
    public var permissions: UInt32
    /// True for a regular file (not a directory, symlink, FIFO, device or socket).
    public var isRegularFile: Bool

    /// `isRegularFile` defaults to "neither a directory nor a symlink".
    public init(name: String, size: UInt64, mtime: Date, isDirectory: Bool, isSymlink: Bool,
                permissions: UInt32, isRegularFile: Bool? = nil) {
        self.name = name
        self.size = size
        self.mtime = mtime
        self.isDirectory = isDirectory
        self.isSymlink = isSymlink
        self.permissions = permissions
        self.isRegularFile = isRegularFile ?? (!isDirectory && !isSymlink)
    }
}
