import Foundation

/// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01).
enum CivilDate {
    /// Days since 1970-01-01 of a civil date.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Civil date of a day number.
    static func civilFromDays(_ days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}

/// Formats times like C's `ctime` (`%a %b %e %H:%M:%S %Y`, day space-padded),
/// e.g. `Sun Nov 29 06:13:54 2026`, in a given time zone.
public struct CTimeFormatter: Sendable {
    /// The zone the printed wall-clock time is in.
    public let timeZone: TimeZone
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Creates a formatter for a time zone.
    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// The fields a ctime stamp shows.
    public struct WallClock: Sendable, Equatable {
        public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
        /// 0 is Sunday.
        public var weekday: Int
    }

    /// The wall-clock fields of a Unix time in whole seconds, in the formatter's zone.
    public func wallClock(unixSeconds: Int64) -> WallClock {
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(unixSeconds))))
        return Self.wallClock(localSeconds: unixSeconds + offset)
    }

    /// The wall-clock fields of `local`: seconds since 1970-01-01 00:00 on the zone's clock
    /// (Unix seconds plus the zone's offset then).
    static func wallClock(localSeconds local: Int64) -> WallClock {
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = Int(local - days * 86_400)
        let (year, month, day) = CivilDate.civilFromDays(days)
        let weekday = Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday (4)
        return WallClock(year: year, month: month, day: day, hour: secondOfDay / 3600,
                         minute: secondOfDay / 60 % 60, second: secondOfDay % 60, weekday: weekday)
    }

    /// The wall-clock fields of a log time, truncated to the second.
    public func wallClock(_ time: LogNanos) -> WallClock {
        wallClock(unixSeconds: Self.seconds(time))
    }

    /// The whole Unix seconds of a log time (a fraction is truncated toward the past).
    static func seconds(_ time: LogNanos) -> Int64 {
        time >= 0 ? time / 1_000_000_000 : (time - 999_999_999) / 1_000_000_000
    }

    /// The ctime text of a Unix time in whole seconds (fractions are truncated by the caller).
    public func string(unixSeconds: Int64) -> String {
        let w = wallClock(unixSeconds: unixSeconds)
        var s = Self.weekdays[w.weekday] + " " + Self.months[w.month - 1] + " "
        s += w.day < 10 ? " \(w.day)" : "\(w.day)"
        s += " " + twoDigits(w.hour) + ":" + twoDigits(w.minute)
        s += ":" + twoDigits(w.second) + " \(w.year)"
        return s
    }

    /// The ctime text of a log time, truncated to the second.
    public func string(_ time: LogNanos) -> String {
        string(unixSeconds: Self.seconds(time))
    }

    /// Appends the text ``string(unixSeconds:)`` gives, from the zone's wall-clock seconds
    /// (see ``wallClock(localSeconds:)``), without building a String.
    static func appendStamp(localSeconds: Int64, to bytes: inout [UInt8]) {
        let w = wallClock(localSeconds: localSeconds)
        bytes.append(contentsOf: weekdayBytes[w.weekday])
        bytes.append(0x20)
        bytes.append(contentsOf: monthBytes[w.month - 1])
        bytes.append(0x20)
        bytes.append(w.day < 10 ? 0x20 : UInt8(0x30 + w.day / 10))
        bytes.append(UInt8(0x30 + w.day % 10))
        func two(_ value: Int, after separator: UInt8) {
            bytes.append(separator)
            bytes.append(UInt8(0x30 + value / 10))
            bytes.append(UInt8(0x30 + value % 10))
        }
        two(w.hour, after: 0x20)
        two(w.minute, after: 0x3A)
        two(w.second, after: 0x3A)
        bytes.append(0x20)
        bytes.append(contentsOf: String(w.year).utf8)
    }

    private static let weekdayBytes = weekdays.map { Array($0.utf8) }
    private static let monthBytes = months.map { Array($0.utf8) }

    private func twoDigits(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
}
