import Foundation
import Logging
import TyndauCore

extension TyndauConfiguration {
    /// The `log:` section: `format` (`text` | `json`, default `text`; env `TYNDAU_LOG_FORMAT`) and
    /// `level` (`trace` … `critical`, default `info`; env `TYNDAU_LOG_LEVEL`, flag `--log-level` of
    /// `serve` and `worker`). Lines go to standard error.
    public struct LogSection: Sendable, Decodable {
        public var format: LogFormat = .text
        public var level: Logger.Level = .info

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable { case format, level }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            func path(_ key: CodingKeys) -> String { ConfigurationPath.render(decoder.codingPath + [key]) }
            if let raw = try container.decodeIfPresent(String.self, forKey: .format) {
                format = try Self.format(raw, name: path(.format))
            }
            if let raw = try container.decodeIfPresent(String.self, forKey: .level) {
                level = try Self.level(raw, name: path(.level))
            }
        }

        static func format(_ raw: String, name: String) throws -> LogFormat {
            guard let format = LogFormat(rawValue: raw.lowercased()) else {
                throw TyndauError.configuration(name, "must be text or json")
            }
            return format
        }

        static func level(_ raw: String, name: String) throws -> Logger.Level {
            guard let level = Logger.Level(rawValue: raw.lowercased()) else {
                throw TyndauError.configuration(name, "must be trace, debug, info, notice, warning, error or critical")
            }
            return level
        }

        /// `TYNDAU_LOG_FORMAT`, `TYNDAU_LOG_LEVEL` over the file.
        mutating func overlay(environment: [String: String]) throws {
            if let raw = environment["TYNDAU_LOG_FORMAT"], !raw.isEmpty { format = try Self.format(raw, name: "TYNDAU_LOG_FORMAT") }
            if let raw = environment["TYNDAU_LOG_LEVEL"], !raw.isEmpty { level = try Self.level(raw, name: "TYNDAU_LOG_LEVEL") }
        }
    }
}
