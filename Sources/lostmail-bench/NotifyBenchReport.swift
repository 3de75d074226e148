import Foundation

/// The side-by-side table of `lostmail-bench notify`: one row per client.
struct NotifyBenchTable {
    private var rows: [[String]] = [["client", "messages", "seconds", "msg/s", "MB/s", "connections",
                                     "client CPU s", "peak RSS", "server CPU s"]]

    mutating func add(client: String, messages: Int, seconds: Double, bytes: Int, connections: Int, cpu: Double,
                      peakRSS: UInt64, serverCPU: Double?) {
        rows.append([client, "\(messages)", String(format: "%.2f", seconds),
                     String(format: "%.1f", Double(messages) / max(seconds, 1e-9)),
                     String(format: "%.2f", Double(bytes) / max(seconds, 1e-9) / 1e6), "\(connections)",
                     String(format: "%.2f", cpu), String(format: "%.1f MiB", Double(peakRSS) / 1_048_576),
                     serverCPU.map { String(format: "%.2f", $0) } ?? "n/a"])
    }

    func print() {
        TextTable.print(rows)
    }
}

/// What the server received, checked against what was composed: each client's messages byte
/// for byte (by SHA-256), the connections the server saw, and the rate limit over the instants
/// LostMail's messages were handed to the transport (where the dispatcher's limit applies; the
/// server's arrival times also carry each message's transfer time).
struct NotifyBenchCheck {
    let composed: [String]
    let received: [SinkRelay.Received]
    let starts: [Double]
    let ratePerMinute: Int?

    func print() {
        let count = composed.count
        guard received.count == 2 * count else {
            Swift.print("server received \(received.count) messages, expected \(2 * count): NOT CHECKED")
            return
        }
        let ours = Array(received.prefix(count))
        let reference = Array(received.suffix(count))
        func same(_ list: [SinkRelay.Received]) -> String {
            zip(list, composed).allSatisfy { $0.sha256 == $1 } ? "identical" : "DIFFERENT"
        }
        Swift.print("server received: lostmail's \(same(ours)) to the composed messages "
                    + "(\(Set(ours.map(\.peerPort)).count) connections), smtplib's \(same(reference)) "
                    + "(\(Set(reference.map(\.peerPort)).count) connections)")
        guard let limit = ratePerMinute else { return }
        // The most messages started in any 60-second window (a start leaves it 60 s later).
        let times = starts
        var most = 0
        var start = 0
        for end in times.indices {
            while times[end] - times[start] >= 60 { start += 1 }
            most = max(most, end - start + 1)
        }
        Swift.print("rate limit \(limit)/min: at most \(most) messages handed to the transport in any 60 s "
                    + (most <= limit ? "(holds)" : "(EXCEEDED)"))
    }
}
