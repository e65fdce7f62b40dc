import Foundation

/// A configuration value that must never be printed: bot tokens, webhook secrets, passwords.
///
/// In the file it is written as `${ENV_NAME}` (taken from the environment at start-up) or, discouraged,
/// inline. `description`, `debugDescription` and `Encodable` all show `[secret]`.
public struct Secret: Sendable, Hashable, Decodable, Encodable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself; read it only where it is sent.
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        self.value = try Secret.expand(raw, environment: Secret.environment(of: decoder), path: decoder.codingPath)
    }

    /// Where a decoder finds the environment `${NAME}` is read from: `userInfo[environmentKey]` when
    /// the caller gave one (tests give theirs instead of changing the process's), else the process's own.
    public static let environmentKey = CodingUserInfoKey(rawValue: "tyndau.environment")!

    public static func environment(of decoder: any Decoder) -> [String: String] {
        decoder.userInfo[environmentKey] as? [String: String] ?? ProcessInfo.processInfo.environment
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode("[secret]")
    }

    public var description: String { "[secret]" }
    public var debugDescription: String { "[secret]" }

    /// Replaces each `${NAME}` by the environment variable; a missing variable is a configuration error.
    public static func expand(_ raw: String, environment: [String: String], path: [any CodingKey] = []) throws -> String {
        var output = ""
        var rest = Substring(raw)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw TyndauError.configuration(ConfigurationPath.render(path), "unclosed ${ in value")
            }
            let name = String(rest[start.upperBound..<end])
            guard let value = environment[name] else {
                throw TyndauError.configuration(ConfigurationPath.render(path), "environment variable \(name) is not set")
            }
            output += value
            rest = rest[rest.index(after: end)...]
        }
        return output + rest
    }
}
