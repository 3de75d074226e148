import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// This machine as a ``RemoteHost`` (`ansible_connection: local`): commands run with `Process`
/// (argv as given, no shell, found on PATH), files read directly, with the SSH host's contract.
/// The tests use it too, as a host without SSH.
public struct LocalHost: RemoteHost {
    public let name: String

    public init(name: String = "localhost") {
        self.name = name
        _ = LocalHost.ignoreSIGPIPE
    }

    /// A child that exits before reading all of stdin must give EPIPE, not kill this process.
    private static let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    public func run(arguments: [String], stdin: Data, timeout: Duration) throws -> CommandResult {
        guard let program = arguments.first else {
            throw RemoteHostError.launchFailed(host: name, program: "", message: "empty argument vector")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try resolve(program))
        process.arguments = Array(arguments.dropFirst())
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            throw RemoteHostError.launchFailed(host: name, program: program, message: "\(error)")
        }
        let stdout = PipeReader(output.fileHandleForReading)
        let stderr = PipeReader(errors.fileHandleForReading)
        let handle = input.fileHandleForWriting
        let writer = Thread {
            // EPIPE (child stopped reading) is not an error of ours: its status tells.
            try? handle.write(contentsOf: stdin)
            try? handle.close()
        }
        writer.start()

        let deadline = DispatchTime.now() + timeout.timeInterval
        if exited.wait(timeout: deadline) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            // Bounded: Foundation reports the exit only when every process holding the child's
            // descriptors is gone, and a background grandchild may outlive it.
            _ = exited.wait(timeout: .now() + 2)
            _ = stdout.wait(until: .now() + 1)
            _ = stderr.wait(until: .now() + 1)
            throw RemoteHostError.timedOut(host: name, program: program, timeout: timeout)
        }
        // A background grandchild may keep the pipes open past the child's exit: the deadline
        // bounds that wait too.
        guard let out = stdout.wait(until: deadline), let err = stderr.wait(until: deadline) else {
            throw RemoteHostError.timedOut(host: name, program: program, timeout: timeout)
        }
        if process.terminationReason == .uncaughtSignal {
            let signal = process.terminationStatus
            return CommandResult(stdout: out, stderr: err, status: 128 + signal, signal: signal)
        }
        return CommandResult(stdout: out, stderr: err, status: process.terminationStatus)
    }

    public func list(directory: String) throws -> [RemoteFileInfo] {
        let manager = FileManager.default
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: directory)
        } catch {
            throw RemoteHostError.fileSystem(host: name, operation: "list", path: directory,
                                             message: "\(error)")
        }
        return try names.sorted().map { entry in
            let path = (directory as NSString).appendingPathComponent(entry)
            var info = Glibc.stat()
            guard lstat(path, &info) == 0 else {
                throw RemoteHostError.fileSystem(host: name, operation: "lstat", path: path,
                                                 message: String(cString: strerror(errno)))
            }
            return Self.info(entry, path, info)
        }
    }

    public func stat(path: String) throws -> RemoteFileInfo? {
        var info = Glibc.stat()
        guard followingStat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw RemoteHostError.fileSystem(host: name, operation: "stat", path: path,
                                             message: String(cString: strerror(code)))
        }
        return Self.info((path as NSString).lastPathComponent, path, info)
    }

    private static func info(_ name: String, _ path: String, _ info: Glibc.stat) -> RemoteFileInfo {
        let kind: RemoteFileInfo.Kind
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        default: kind = .other
        }
        return RemoteFileInfo(name: name, path: path, kind: kind,
                              size: UInt64(info.st_size), mtime: Int64(info.st_mtim.tv_sec))
    }

    public func download(path: String, to local: URL, resume: Bool) throws -> DownloadResult {
        try LocalFileCopy(host: name).copy(from: path, to: local, resume: resume)
    }

    /// An absolute program path, or the first match on PATH.
    private func resolve(_ program: String) throws -> String {
        if program.contains("/") { return program }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw RemoteHostError.launchFailed(host: name, program: program, message: "not found on PATH")
    }
}

/// stat(2) under a name the hosts' own `stat(path:)` does not shadow.
private func followingStat(_ path: String, _ info: inout stat) -> Int32 {
    stat(path, &info)
}

/// Reads a pipe to EOF on its own thread.
private final class PipeReader: @unchecked Sendable {  // `data` is written before `done` signals
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            data = (try? handle.readToEnd()) ?? Data()
            done.signal()
        }
        thread.start()
    }

    /// The bytes read, or nil if EOF did not come by `deadline`.
    func wait(until deadline: DispatchTime) -> Data? {
        guard done.wait(timeout: deadline) == .success else { return nil }
        done.signal()  // later waits return at once
        return data
    }
}
