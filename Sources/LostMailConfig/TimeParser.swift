import Foundation

/// ISO 8601 date-times as operators write them in playbooks.
///
/// Accepted: `2020-05-26T13:40`, `2020-05-26 13:40:00`, `2020-05-26T13:40:00.5`, each
/// optionally followed by `Z`, `+02:00`, `+0200` or `+02`. Without an offset the time is
/// read in the given zone (during a daylight-saving jump the zone's rules pick the instant).
enum TimeParser {
    enum Failure: Error { case syntax, range }

    static func parse(_ text: String, zone: TimeZone) throws(Failure) -> Date {
        let s = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        var i = 0
        func number(_ digits: Int) throws(Failure) -> Int {
            guard i + digits <= s.count else { throw .syntax }
            var value = 0
            for _ in 0..<digits {
                let c = s[i]
                guard c >= 48 && c <= 57 else { throw .syntax }
                value = value * 10 + Int(c - 48)
                i += 1
            }
            return value
        }
        func expect(_ char: UInt8) throws(Failure) {
            guard i < s.count, s[i] == char else { throw .syntax }
            i += 1
        }
        let year = try number(4); try expect(45)
        let month = try number(2); try expect(45)
        let day = try number(2)
        guard i < s.count, s[i] == 84 || s[i] == 116 || s[i] == 32 else { throw .syntax }
        i += 1
        let hour = try number(2); try expect(58)
        let minute = try number(2)
        var second = 0
        var fraction = 0.0
        if i < s.count, s[i] == 58 {
            i += 1
            second = try number(2)
            if i < s.count, s[i] == 46 || s[i] == 44 {
                i += 1
                let start = i
                var scale = 0.1
                while i < s.count, s[i] >= 48 && s[i] <= 57 {
                    fraction += Double(s[i] - 48) * scale
                    scale /= 10
                    i += 1
                }
                if i == start { throw .syntax }
            }
        }
        var offset: Int?
        if i < s.count {
            if s[i] == 90 || s[i] == 122 {
                offset = 0
                i += 1
            } else if s[i] == 43 || s[i] == 45 {
                let sign = s[i] == 45 ? -1 : 1
                i += 1
                let hours = try number(2)
                var minutes = 0
                if i < s.count {
                    if s[i] == 58 { i += 1 }
                    minutes = try number(2)
                }
                guard hours <= 23, minutes <= 59 else { throw .range }
                offset = sign * (hours * 3600 + minutes * 60)
            } else {
                throw .syntax
            }
        }
        guard i == s.count else { throw .syntax }
        guard (1...12).contains(month), (1...31).contains(day), hour <= 23, minute <= 59,
              second <= 59 else { throw .range }

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = offset.flatMap { TimeZone(secondsFromGMT: $0) } ?? zone
        let components = DateComponents(year: year, month: month, day: day,
                                        hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components),
              calendar.component(.day, from: date) == day else { throw .range }
        return date.addingTimeInterval(fraction)
    }
}

extension TimeParser {
    /// The operator-readable reason a time was refused.
    static func message(for text: String, _ failure: Failure) -> String {
        switch failure {
        case .syntax:
            return "'\(text)' is not an ISO 8601 time (e.g. 2020-05-26T13:40:00, "
                + "2020-05-26 13:40 or 2020-05-26T11:40:00Z)"
        case .range:
            return "'\(text)' is not a valid date and time (a field is out of range)"
        }
    }
}
