/// What a run has to tell one account: its lost-mail lines less those accepted notifications
/// (earlier runs' and its own) already listed (same host, account and line; a line listed once covers one
/// of its occurrences, like the account file's merge).
public struct NotificationDelta: Sendable, Equatable {
    /// The lines not told before, in the order the run found them: the message lists these.
    public var newLines: [String]
    /// Where each of `newLines` is in the run's lines (so the caller finds its entries).
    public var newIndices: [Int]
    /// Per earlier run, how many of this run's lines it told.
    public var toldByRun: [Int64: Int]

    /// How many of the run's lines were told before.
    public var alreadyTold: Int { toldByRun.values.reduce(0, +) }

    /// - Parameters:
    ///   - lines: the account's lines found by this run.
    ///   - told: what earlier notifications listed (``Journal/notifiedLines(host:account:)``).
    public init(lines: [String], told: [NotifiedLine]) {
        var left: [String: [(run: Int64, count: Int)]] = [:]
        for line in told.sorted(by: { $0.run < $1.run }) where line.count > 0 {
            left[line.lineDigest, default: []].append((line.run, line.count))
        }
        newLines = []
        newIndices = []
        toldByRun = [:]
        for (index, line) in lines.enumerated() {
            let digest = NotifiedLine.digest(line)
            guard var runs = left[digest], let first = runs.first else {
                newLines.append(line)
                newIndices.append(index)
                continue
            }
            toldByRun[first.run, default: 0] += 1
            if first.count > 1 { runs[0].count -= 1 } else { runs.removeFirst() }
            left[digest] = runs.isEmpty ? nil : runs
        }
    }

    /// Why the account gets mail or not: `3 new lost mails, 2 already told in run 1`, or
    /// `5 lost mails already told in runs 1 and 2, no mail`.
    public var summary: String {
        let told = toldByRun.isEmpty ? "" : "already told in \(Self.runs(toldByRun.keys.sorted()))"
        if newLines.isEmpty {
            return "\(Self.count(alreadyTold, "lost mail")) \(told), no mail"
        }
        return "\(Self.count(newLines.count, "new lost mail"))" + (told.isEmpty ? "" : ", \(alreadyTold) \(told)")
    }

    private static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    private static func runs(_ ids: [Int64]) -> String {
        guard let last = ids.last else { return "" }
        if ids.count == 1 { return "run \(last)" }
        return "runs " + ids.dropLast().map(String.init).joined(separator: ", ") + " and \(last)"
    }
}
