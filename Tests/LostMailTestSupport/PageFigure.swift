/// Reads the figures of an incident report page (or Chromium's dump of its DOM): the renderer
/// marks each with `data-figure="key"`, rows and charts with `data-host`.
public enum PageFigure {
    /// The text of the first element with `data-figure="key"` after `scope` (e.g. a host's row
    /// `<tr data-host="host1">`), or nil if there is none.
    public static func value(_ page: String, _ key: String, after scope: String? = nil) -> String? {
        var text = Substring(page)
        if let scope {
            guard let range = text.range(of: scope) else { return nil }
            text = text[range.upperBound...]
        }
        guard let start = text.range(of: "data-figure=\"\(key)\">") else { return nil }
        let rest = text[start.upperBound...]
        return rest.firstIndex(of: "<").map { String(rest[..<$0]) }
    }
}
