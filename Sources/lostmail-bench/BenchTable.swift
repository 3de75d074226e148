import Foundation

/// The side-by-side result table of `lostmail-bench read`.
struct BenchTable {
    private var rows: [[String]] = [["tool", "seconds", "MB/s", "lines/s", "matching lines", "peak RSS"]]

    mutating func add(tool: String, seconds: Double, bytes: UInt64, lines: Int?, count: Int, peakRSS: UInt64?) {
        let rate = seconds > 0 ? Double(bytes) / seconds / 1e6 : 0
        let lineRate = lines.map { seconds > 0 ? String(format: "%.2fM", Double($0) / seconds / 1e6) : "-" } ?? "-"
        rows.append([tool, String(format: "%.3f", seconds), String(format: "%.0f", rate), lineRate, "\(count)",
                     peakRSS.map { String(format: "%.1f MiB", Double($0) / 1_048_576) } ?? "n/a"])
    }

    func print() {
        TextTable.print(rows)
    }
}
