import Foundation
import TyndauCore

/// Reads question files for `tyndau questions import`: CSV with a header row, or JSON Lines.
///
/// Fields: `text`, `street`, `category`, `channel`, `external_id`, `submitted_at`, `name`, `phone`,
/// `email` (others are ignored). Each row becomes a ``Submission`` or a row error that names the row
/// (1-based, the CSV header being row 1) and the reason; one bad row never stops the others.
public enum ImportReader {
    public enum Format: String, Sendable {
        case csv
        case jsonl
    }

    /// One row's outcome.
    public struct Row: Sendable {
        public var number: Int
        public var result: Result<Submission, TyndauError>
        /// The key that makes re-importing the same row a no-op.
        public var sourceKey: String
    }

    public static let fields = ["text", "street", "category", "channel", "external_id", "submitted_at", "name", "phone", "email", "house"]

    /// Chooses the format by extension (`.jsonl`, `.ndjson`, `.json` are JSON Lines), else by content.
    public static func format(path: String, content: String) -> Format {
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") { return .jsonl }
        if lower.hasSuffix(".csv") { return .csv }
        return content.drop { $0.isWhitespace }.first == "{" ? .jsonl : .csv
    }

    public static func read(_ content: String, format: Format) -> [Row] {
        switch format {
        case .csv: readCSV(content)
        case .jsonl: readJSONLines(content)
        }
    }

    static func readJSONLines(_ content: String) -> [Row] {
        var rows: [Row] = []
        // "\r\n" is one Character in Swift: a file written on Windows splits on it too. JSON may hold an
        // unescaped U+2028 inside a string, so only LF and CRLF end a line.
        for (index, line) in content.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .enumerated()
        {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            let number = index + 1
            guard
                let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any]
            else {
                rows.append(Row(number: number, result: .failure(.malformedRow("line is not a JSON object")), sourceKey: ""))
                continue
            }
            var values: [String: String] = [:]
            var wrongType: String?
            for field in fields {
                switch object[field] {
                case nil, is NSNull: continue
                case let string as String: values[field] = string
                case let number as NSNumber where field == "external_id": values[field] = number.stringValue
                default: wrongType = wrongType ?? field
                }
            }
            if let wrongType {
                rows.append(Row(number: number, result: .failure(.validation([wrongType: "field.wrong-type"])), sourceKey: ""))
                continue
            }
            rows.append(row(number: number, values: values))
        }
        return rows
    }

    static func readCSV(_ content: String) -> [Row] {
        let records = CSVParser.parse(content)
        guard let header = records.first else { return [] }
        let names = header.map { $0.value.trimmingCharacters(in: .whitespaces).lowercased() }
        guard names.contains("text") else {
            return [Row(number: 1, result: .failure(.malformedRow("header has no 'text' column")), sourceKey: "")]
        }
        var rows: [Row] = []
        for record in records.dropFirst() {
            if record.count == 1, record[0].value.isEmpty { continue }
            let number = record[0].line
            guard record.count == names.count else {
                let reason = "expected \(names.count) columns, found \(record.count)"
                rows.append(Row(number: number, result: .failure(.malformedRow(reason)), sourceKey: ""))
                continue
            }
            var values: [String: String] = [:]
            for (name, cell) in zip(names, record) where fields.contains(name) && !cell.value.isEmpty {
                values[name] = cell.value
            }
            rows.append(row(number: number, values: values))
        }
        return rows
    }

    static func row(number: Int, values: [String: String]) -> Row {
        var channel = Channel.import
        if let raw = values["channel"], !raw.isEmpty {
            guard let parsed = Channel(rawValue: raw.lowercased()) else {
                return Row(number: number, result: .failure(.validation(["channel": "field.unknown-channel"])), sourceKey: "")
            }
            channel = parsed
        }
        let submission = Submission(
            text: values["text"], category: values["category"], street: values["street"], house: values["house"],
            name: values["name"], phone: values["phone"], email: values["email"],
            consent: values["name"] != nil || values["phone"] != nil || values["email"] != nil,
            channel: channel, externalID: values["external_id"], submittedAt: values["submitted_at"]
        )
        let sourceKey = values["external_id"].map { "ext:" + $0 }
            ?? "row:" + (values["submitted_at"] ?? "") + "|" + TextCleaner.clean(values["text"] ?? "")
        return Row(number: number, result: .success(submission), sourceKey: sourceKey)
    }
}

extension TyndauError {
    /// A row of an import file that cannot be read at all.
    public static func malformedRow(_ reason: String) -> TyndauError {
        TyndauError(code: .malformedRow, messageKey: "error.malformed-row", arguments: [reason])
    }
}

/// RFC 4180 CSV: quoted fields with doubled quotes, commas and newlines inside quotes, CRLF or LF.
enum CSVParser {
    struct Cell {
        var value: String
        /// The 1-based line on which the record starts.
        var line: Int
    }

    static func parse(_ content: String) -> [[Cell]] {
        var records: [[Cell]] = []
        var record: [Cell] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var characters = content.makeIterator()
        var pending: Character? = characters.next()
        if pending == "\u{FEFF}" { pending = characters.next() }
        func endField() {
            record.append(Cell(value: field, line: recordLine))
            field = ""
        }
        while let character = pending {
            pending = characters.next()
            if inQuotes {
                if character == "\"" {
                    if pending == "\"" {
                        field.append("\"")
                        pending = characters.next()
                    } else {
                        inQuotes = false
                    }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty:
                inQuotes = true
            case ",":
                endField()
            case "\n", "\r\n", "\r":
                endField()
                records.append(record)
                record = []
                line += 1
                recordLine = line
            default:
                field.append(character)
            }
        }
        if !field.isEmpty || !record.isEmpty {
            endField()
            records.append(record)
        }
        return records
    }
}
