import Foundation
import QmailLog

/// The analyser as the benchmark runs it: the whole time range, the incident signature, and
/// the account maps of the snapshot when one is given (so attribution work is included).
enum BenchAnalyzer {
    static func make(snapshotRoot: URL?) -> Analyzer {
        func source(_ path: String) -> AccountMap.Source? {
            guard let root = snapshotRoot,
                  let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path) else { return nil }
            return AccountMap.Source(name: path, contents: String(decoding: data, as: UTF8.self))
        }
        let accounts = AccountMap(virtualdomains: source("var/qmail/control/virtualdomains"),
                                  locals: source("var/qmail/control/locals"),
                                  assign: source("var/qmail/users/assign"), passwd: source("etc/passwd"))
        let settings = AnalysisSettings(from: .distantPast, until: .distantFuture,
                                        timeZone: TimeZone(identifier: "Europe/Berlin")!)
        return Analyzer(settings: settings, accounts: accounts)
    }
}
