import Foundation

/// A coding key for any string: lets a decoder see every key a YAML mapping holds.
public struct AnyCodingKey: CodingKey, Hashable {
    public var stringValue: String
    public var intValue: Int?

    public init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    public init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

extension Decoder {
    /// Rejects keys that `Keys` does not list, naming the first one by its full path
    /// (`series.duration_minutes`). Configuration types call this first in `init(from:)`,
    /// so a typo in the file fails at start-up instead of being silently ignored.
    public func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        let container = try container(keyedBy: AnyCodingKey.self)
        let known = Set(Keys.allCases.map(\.stringValue))
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !known.contains(key.stringValue) {
            throw TyndauError.configuration(ConfigurationPath.render(codingPath + [key]), "unknown key")
        }
    }
}

/// Renders coding paths as people write them: `endpoints[2].url`.
public enum ConfigurationPath {
    public static func render(_ path: [any CodingKey]) -> String {
        var output = ""
        for key in path {
            if let index = key.intValue {
                output += "[\(index)]"
            } else {
                output += (output.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return output.isEmpty ? "(root)" : output
    }

    /// One line for a decoding error: the key's path and what was wrong with it.
    public static func describe(_ error: DecodingError) -> TyndauError {
        switch error {
        case .typeMismatch(let type, let context):
            return .configuration(render(context.codingPath), "expected \(friendlyName(type))")
        case .valueNotFound(let type, let context):
            return .configuration(render(context.codingPath), "expected \(friendlyName(type)), found nothing")
        case .keyNotFound(let key, let context):
            return .configuration(render(context.codingPath + [key]), "required key is missing")
        case .dataCorrupted(let context):
            return .configuration(render(context.codingPath), context.debugDescription)
        @unknown default:
            return .configuration("(root)", "unreadable")
        }
    }

    private static func friendlyName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        default: "\(type)".lowercased()
        }
    }
}
