import ArgumentParser
import Foundation

/// The reference beside LostMail's client in `lostmail-bench notify`: Python's smtplib sending
/// the same pre-built messages (read into memory first) to the same server, `perConnection`
/// messages per SMTP session. smtplib dot-stuffs and terminates the data as RFC 5321 says and
/// leaves CRLF messages as they are, so the server receives the same bytes.
enum SMTPLibReference {
    struct Result {
        var seconds: Double
        var cpuSeconds: Double
        var peakRSS: UInt64
        var connections: Int
    }

    /// Sends the messages listed in `manifest` (lines `file<TAB>envelope-from<TAB>recipient`).
    static func run(port: Int, manifest: URL, perConnection: Int, directory: URL) throws -> Result {
        let script = directory.appendingPathComponent("smtplib-reference.py")
        try source.write(to: script, atomically: true, encoding: .utf8)
        let output = try runProgram(["/usr/bin/python3", script.path, String(port), manifest.path, String(perConnection)])
        var fields: [String: Double] = [:]
        for pair in output.split(whereSeparator: \.isWhitespace) {
            let kv = pair.split(separator: "=")
            if kv.count == 2, let value = Double(kv[1]) { fields[String(kv[0])] = value }
        }
        guard let seconds = fields["seconds"], let cpu = fields["cpu"], let rss = fields["maxrss_kb"],
              let connections = fields["connections"] else {
            throw ValidationError("the smtplib reference printed no figures: \(output)")
        }
        return Result(seconds: seconds, cpuSeconds: cpu, peakRSS: UInt64(rss) * 1024, connections: Int(connections))
    }

    private static let source = #"""
import resource, smtplib, sys, time

port, manifest, per = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
messages = []
for line in open(manifest).read().splitlines():
    path, sender, recipient = line.split("\t")
    with open(path, "rb") as f:
        messages.append((f.read(), sender, recipient))

def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime

began, cpu0 = time.monotonic(), cpu()
conn, on_conn, connections = None, 0, 0
for data, sender, recipient in messages:
    if conn is None or on_conn == per:
        if conn is not None:
            conn.quit()
        conn = smtplib.SMTP("127.0.0.1", port, local_hostname="localhost")
        conn.ehlo()
        connections += 1
        on_conn = 0
    refused = conn.sendmail(sender, [recipient], data)
    if refused:
        sys.exit("refused: %r" % refused)
    on_conn += 1
if conn is not None:
    conn.quit()
print("seconds=%.6f cpu=%.6f maxrss_kb=%d connections=%d" % (
    time.monotonic() - began, cpu() - cpu0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, connections))
"""#
}
