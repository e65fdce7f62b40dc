import Foundation
import Logging

/// How log lines look: `text` (one readable line) or `json` (one JSON object per line, for Loki,
/// journald's JSON view, Elasticsearch …). Configuration key `log.format`, env `TYNDAU_LOG_FORMAT`.
public enum LogFormat: String, Sendable, CaseIterable, Decodable {
    case text
    case json
}

/// The process's log output, chosen once by the command after it read its configuration. The
/// executable bootstraps swift-log with ``TyndauLogHandler`` before the configuration is known, so
/// the handler asks this value at each line.
public enum LogOutput {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var currentFormat = LogFormat.text

    /// The format every ``TyndauLogHandler`` writes from now on.
    public static var format: LogFormat {
        get { lock.withLock { currentFormat } }
        set { lock.withLock { currentFormat = newValue } }
    }
}

/// The one log handler of the `tyndau` executable (`LoggingSystem.bootstrap` in `Sources/tyndau`):
/// lines on standard error, as text or JSON lines, with the logger's and the call's metadata — the
/// dotted keys (`tyndau.question.id`, `http.path`, …) and `request_id` on every line of a request.
///
/// JSON lines: `{"time": ISO 8601 UTC with milliseconds, "level", "logger" (the label), "message",
/// …metadata}`; metadata keys are top-level (a key that would clash with those four is prefixed
/// `metadata.`), nested values stay nested. Libraries never create loggers; they log only what
/// their callers put there — no personal data, no secrets.
public struct TyndauLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    /// A handler writing to standard error.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.init(label: label, metadataProvider: metadataProvider) { line in
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    /// A handler writing each finished line (with its newline) to `write`: for tests.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let time = Self.timestamp(WallClock.now())
        switch LogOutput.format {
        case .text: write(Self.textLine(time: time, level: event.level, label: label, message: event.message.description, metadata: merged))
        case .json: write(Self.jsonLine(time: time, level: event.level, label: label, message: event.message.description, metadata: merged))
        }
    }

    static func textLine(time: String, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var line = "\(time) \(level) \(label): \(message)"
        for key in metadata.keys.sorted() { line += " \(key)=\(metadata[key]!)" }
        return line + "\n"
    }

    static let reserved: Set<String> = ["time", "level", "logger", "message"]

    static func jsonLine(time: String, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var object: [String: Any] = ["time": time, "level": level.rawValue, "logger": label, "message": message]
        for (key, value) in metadata {
            object[reserved.contains(key) ? "metadata." + key : key] = json(value)
        }
        // Strings, arrays and dictionaries of strings always serialise; the fallback is never expected.
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data(#"{"message":"unserialisable log line"}"#.utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func json(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }

    private static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
