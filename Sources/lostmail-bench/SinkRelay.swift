import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real SMTP server on 127.0.0.1 for `lostmail-bench notify`: aiosmtpd (/usr/bin/python3)
/// taking every message with 250 and keeping nothing but one line per message in a log file
/// (SHA-256 and size of the data as received, the client's port, the arrival time). Started
/// and stopped by this bench, by its process id.
final class SinkRelay {
    let port: Int
    let pid: Int32
    private let process: Process
    private let logPath: String

    /// Starts the server with its script and log in `directory`; returns once it listens.
    init(directory: URL) throws {
        let script = directory.appendingPathComponent("sink-relay.py")
        try Self.script.write(to: script, atomically: true, encoding: .utf8)
        logPath = directory.appendingPathComponent("received.log").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path, logPath]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        pid = process.processIdentifier
        // The first line is `READY <port>` (or nothing, when the server failed to start).
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), let first = byte.first, first != 0x0A {
            line.append(first)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("READY "), let port = Int(text.dropFirst(6)) else {
            kill(pid, SIGTERM)
            process.waitUntilExit()
            throw ValidationError("the aiosmtpd sink did not start (python3-aiosmtpd installed? Scripts/setup.sh)")
        }
        self.port = port
    }

    /// One received message.
    struct Received {
        var sha256: String
        var size: Int
        var peerPort: Int
        var at: Double
    }

    /// Every message received so far, in arrival order.
    func received() -> [Received] {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            guard f.count == 4, let size = Int(f[1]), let port = Int(f[2]), let at = Double(f[3]) else { return nil }
            return Received(sha256: String(f[0]), size: size, peerPort: port, at: at)
        }
    }

    /// CPU seconds the server has used so far.
    func cpuSeconds() -> Double? { ResourceUsage.processTreeCPUSeconds(pid: pid) }

    /// Stops the server (SIGTERM to its pid) and waits for it.
    func stop() {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        process.waitUntilExit()
    }

    deinit { stop() }

    private static let script = #"""
import hashlib, signal, socket, sys, time
from aiosmtpd.controller import Controller

signal.pthread_sigmask(signal.SIG_SETMASK, [])
signal.signal(signal.SIGTERM, signal.SIG_DFL)
log = open(sys.argv[1], "a", buffering=1)

class Sink:
    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content
        log.write("%s %d %d %.6f\n" % (hashlib.sha256(data).hexdigest(), len(data), session.peer[1], time.time()))
        return "250 2.0.0 queued"

sock = socket.socket()
sock.bind(("127.0.0.1", 0))
port = sock.getsockname()[1]
sock.close()
controller = Controller(Sink(), hostname="127.0.0.1", port=port)
controller.start()
print("READY %d" % port, flush=True)
while True:
    signal.pause()
"""#
}
