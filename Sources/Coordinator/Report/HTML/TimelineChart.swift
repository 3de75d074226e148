import Foundation
import QmailLog

/// The timeline chart as inline SVG: finished deliveries per bin stacked by result (success,
/// deferral, failure) above, the lost deliveries below, the incident window shaded. Drawn
/// around the window (half an hour or the window's length on each side, whichever is more),
/// at most ``maxBins`` bins; one `<path>` per series keeps the page small.
struct TimelineChart {
    /// Deliveries of one bin.
    struct Bin: Equatable {
        var start: Int64
        var successes = 0
        var deferrals = 0
        var failures = 0
        var lost = 0
        var total: Int { successes + deferrals + failures }
    }

    static let maxBins = 120
    static let width = 960.0
    static let plotLeft = 48.0
    static let plotRight = 12.0
    static let topHeight = 150.0
    static let lostHeight = 44.0

    let from: Int64
    let until: Int64
    let zone: TimeZone
    /// The bins, oldest first; empty when there is no timeline to draw.
    let bins: [Bin]
    let binSeconds: Int64

    /// Sums `timelines` (one per host, or one) into bins around the window `from..<until`
    /// (Unix seconds).
    init(timelines: [Timeline], from: Int64, until: Int64, zone: TimeZone) {
        self.from = from
        self.until = until
        self.zone = zone
        let bucket = timelines.map(\.bucketSeconds).max() ?? 60
        let pad = max(1800, until - from)
        let first = (from - pad) / bucket * bucket
        let end = until + pad
        var binSeconds = bucket
        while (end - first + binSeconds - 1) / binSeconds > Int64(Self.maxBins) { binSeconds += bucket }
        self.binSeconds = binSeconds
        guard !timelines.isEmpty else { bins = []; return }
        let count = Int((end - first + binSeconds - 1) / binSeconds)
        var bins = (0..<count).map { Bin(start: first + Int64($0) * binSeconds) }
        for timeline in timelines {
            for i in 0..<timeline.count {
                let at = timeline.bucketStart(i)
                guard at >= first, at < first + Int64(count) * binSeconds else { continue }
                let b = Int((at - first) / binSeconds)
                bins[b].successes += timeline.successes[i]
                bins[b].deferrals += timeline.deferrals[i]
                bins[b].failures += timeline.failures[i]
                bins[b].lost += timeline.lost[i]
            }
        }
        self.bins = bins
    }

    /// Totals of the drawn range.
    var lost: Int { bins.reduce(0) { $0 + $1.lost } }
    var deliveries: Int { bins.reduce(0) { $0 + $1.total } }

    /// The SVG element; `label` names the chart for screen readers and the DOM check.
    func svg(label: String, id: String) -> String {
        guard let firstBin = bins.first else {
            return "<p class=\"note\">No timeline stored for this run (reports of older runs have none).</p>"
        }
        let plotWidth = Self.width - Self.plotLeft - Self.plotRight
        let rangeStart = firstBin.start
        let rangeSeconds = Double(Int64(bins.count) * binSeconds)
        func x(_ t: Int64) -> Double { Self.plotLeft + Double(t - rangeStart) / rangeSeconds * plotWidth }
        let barWidth = plotWidth / Double(bins.count)
        let top = 8.0
        let lostTop = top + Self.topHeight + 22
        let height = lostTop + Self.lostHeight + 24
        let maxTotal = max(1, bins.map(\.total).max() ?? 0)
        let maxLost = max(1, bins.map(\.lost).max() ?? 0)

        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Self.width.text) \(height.text)\" "
            + "width=\"100%\" role=\"img\" id=\"\(HTML.escape(id))\" aria-label=\"\(HTML.escape(label))\" "
            + "data-lost=\"\(lost)\" data-deliveries=\"\(deliveries)\" data-bin-seconds=\"\(binSeconds)\">"
        // The window, shaded behind both panels.
        let wx = x(max(from, rangeStart)), wEnd = x(min(until, rangeStart + Int64(rangeSeconds)))
        out += "<rect class=\"window\" x=\"\(wx.text)\" y=\"\(top.text)\" width=\"\(max(1, wEnd - wx).text)\" "
            + "height=\"\((lostTop + Self.lostHeight - top).text)\"/>"
        out += "<text class=\"label\" x=\"\((wx + 3).text)\" y=\"\((top + 11).text)\">window</text>"
        // Stacked deliveries.
        var paths = ["success": "", "deferral": "", "failure": ""]
        for (i, bin) in bins.enumerated() {
            var base = top + Self.topHeight
            let left = Self.plotLeft + Double(i) * barWidth + barWidth * 0.1
            for (series, value) in [("success", bin.successes), ("deferral", bin.deferrals), ("failure", bin.failures)]
            where value > 0 {
                let h = Double(value) / Double(maxTotal) * Self.topHeight
                paths[series]! += Self.bar(left: left, bottom: base, width: barWidth * 0.8, height: h)
                base -= h
            }
        }
        for series in ["success", "deferral", "failure"] where !paths[series]!.isEmpty {
            out += "<path class=\"\(series)\" d=\"\(paths[series]!)\"/>"
        }
        var lostPath = ""
        for (i, bin) in bins.enumerated() where bin.lost > 0 {
            let h = Double(bin.lost) / Double(maxLost) * Self.lostHeight
            lostPath += Self.bar(left: Self.plotLeft + Double(i) * barWidth + barWidth * 0.1,
                                 bottom: lostTop + Self.lostHeight, width: barWidth * 0.8, height: h)
        }
        if !lostPath.isEmpty { out += "<path class=\"lost\" d=\"\(lostPath)\"/>" }
        // Axes and labels.
        let axisY = top + Self.topHeight, lostAxis = lostTop + Self.lostHeight
        out += "<path class=\"axis\" d=\"M\(Self.plotLeft.text),\(top.text)V\(axisY.text)H\((Self.width - Self.plotRight).text)"
            + "M\(Self.plotLeft.text),\(lostTop.text)V\(lostAxis.text)H\((Self.width - Self.plotRight).text)\"/>"
        out += "<text class=\"label\" x=\"\((Self.plotLeft - 4).text)\" y=\"\((top + 9).text)\" text-anchor=\"end\">\(maxTotal)</text>"
        out += "<text class=\"label\" x=\"\((Self.plotLeft - 4).text)\" y=\"\(axisY.text)\" text-anchor=\"end\">0</text>"
        out += "<text class=\"label\" x=\"\((Self.plotLeft - 4).text)\" y=\"\((lostTop + 9).text)\" text-anchor=\"end\">\(maxLost)</text>"
        out += "<text class=\"label lost-label\" x=\"\((Self.plotLeft + 4).text)\" y=\"\((lostTop - 4).text)\">lost deliveries per \(Self.unit(binSeconds))</text>"
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "HH:mm"
        let step = Self.tickSeconds(range: Int64(rangeSeconds))
        var tick = (rangeStart + step - 1) / step * step
        while tick <= rangeStart + Int64(rangeSeconds) {
            let tx = x(tick)
            out += "<path class=\"tick\" d=\"M\(tx.text),\(lostAxis.text)v4\"/>"
            out += "<text class=\"label\" x=\"\(tx.text)\" y=\"\((lostAxis + 16).text)\" text-anchor=\"middle\">"
                + formatter.string(from: Date(timeIntervalSince1970: TimeInterval(tick))) + "</text>"
            tick += step
        }
        return out + "</svg>"
    }

    /// One bar as a closed subpath.
    static func bar(left: Double, bottom: Double, width: Double, height: Double) -> String {
        "M\(left.text),\(bottom.text)v-\(height.text)h\(width.text)v\(height.text)z"
    }

    /// A round tick distance giving about 6 to 12 ticks.
    static func tickSeconds(range: Int64) -> Int64 {
        for minutes: Int64 in [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440] where range / (minutes * 60) <= 12 {
            return minutes * 60
        }
        return 1440 * 60 * max(1, range / (1440 * 60 * 12))
    }

    static func unit(_ seconds: Int64) -> String {
        seconds == 60 ? "minute" : seconds % 3600 == 0 ? "\(seconds / 3600) h" : "\(seconds / 60) min"
    }
}

fileprivate extension Double {
    /// A coordinate with at most one decimal.
    var text: String {
        let tenths = (self * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }
}
