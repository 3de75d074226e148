#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A program run under `/usr/bin/time -o FILE`, so its own peak RSS and CPU seconds (with its
/// waited-for children's) are known exactly. Why not wait4 on a posix_spawn(3)ed child: glibc
/// spawns with CLONE_VM, and exec(2) then counts the parent's peak RSS into the child's
/// ru_maxrss; time(1) forks, so its child starts from time's small memory.
/// Standard input is /dev/null; standard output goes to a file; standard error to a file or,
/// with `errorPipe`, to a pipe the caller reads (`errors`).
final class MeasuredChild {
    /// What time(1) said about the program.
    struct Usage {
        var status: Int32
        var peakRSS: UInt64
        var cpuSeconds: Double
        /// Seconds from `started` until time(1) was reaped.
        var seconds: Double
    }

    /// The pid of time(1); `programPID()` finds the program's.
    let pid: pid_t
    let started: ContinuousClock.Instant
    private let usageFile: String
    /// The read end of standard error when `errorPipe` was asked for (closed on deinit).
    let errors: FileHandle?

    /// Starts `arguments` (argv[0] is a path) with `environment` added to this process's.
    init(_ program: [String], stdout: String, stderr: String? = nil, errorPipe: Bool = false,
         environment: [String: String] = [:]) throws {
        usageFile = stdout + ".usage"
        let arguments = ["/usr/bin/time", "-o", usageFile, "-f", "%M %U %S"] + program
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var pipeEnds: [Int32] = [-1, -1]
        if errorPipe {
            // pipe2(2) is not imported (a _GNU_SOURCE name); this process spawns from one thread.
            guard pipe(&pipeEnds) == 0 else { throw Self.error("pipe", errno) }
            for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, stderr ?? stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        }
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0)=\($1)" }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        // Signals this process ignores (SIGINT, SIGTERM while a cleanup handler owns them) are
        // ignored across exec too: the child gets the default dispositions back.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let begun = ContinuousClock.now
        let result = posix_spawn(&child, arguments[0], &actions, &attributes, &argv, &envp)
        if errorPipe { close(pipeEnds[1]) }
        guard result == 0 else {
            if errorPipe { close(pipeEnds[0]) }
            throw Self.error("posix_spawn \(arguments[0])", result)
        }
        pid = child
        started = begun
        errors = errorPipe ? FileHandle(fileDescriptor: pipeEnds[0], closeOnDealloc: true) : nil
    }

    /// The program's pid (time's only child), once time has started it; nil after 2 s without.
    func programPID() -> pid_t? {
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8),
               let child = text.split(separator: " ").first.flatMap({ pid_t($0) }) {
                return child
            }
            usleep(10_000)
        }
        return nil
    }

    /// Blocks until the program exits and returns its status and usage as time(1) measured it.
    func wait() -> Usage {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let elapsed = (ContinuousClock.now - started).timeInterval
        // WIFEXITED / WEXITSTATUS (time exits with the program's status), else 128 + signal.
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        // time writes "Command exited with non-zero status N" first when it did; the figures last.
        let text = (try? String(contentsOfFile: usageFile, encoding: .utf8)) ?? ""
        let figures = text.split(separator: "\n").last.map { $0.split(separator: " ") } ?? []
        let peak = figures.count == 3 ? (UInt64(figures[0]) ?? 0) * 1024 : 0
        let cpu = figures.count == 3 ? (Double(figures[1]) ?? 0) + (Double(figures[2]) ?? 0) : 0
        return Usage(status: code, peakRSS: peak, cpuSeconds: cpu, seconds: elapsed)
    }

    private static func error(_ what: String, _ code: Int32) -> GeneratorError {
        GeneratorError("\(what): \(String(cString: strerror(code)))")
    }
}
