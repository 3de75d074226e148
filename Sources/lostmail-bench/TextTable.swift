/// The benches' one way to print a table: columns padded to their widest cell, text on the
/// left and figures on the right.
enum TextTable {
    /// Prints `rows` (the first is the header); a cell is left-aligned when `leftAligned` says
    /// so for its column and text, else right-aligned.
    static func print(_ rows: [[String]], leftAligned: (_ column: Int, _ cell: String) -> Bool = { column, _ in column == 0 }) {
        guard let header = rows.first else { return }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            Swift.print(row.enumerated().map { column, cell in
                leftAligned(column, cell) ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  "))
        }
    }
}
