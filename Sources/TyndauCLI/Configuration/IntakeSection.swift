import Foundation
import TyndauCore
import TyndauServer

extension TyndauConfiguration {
    /// The `intake:` section: abuse protection and limits of `tyndau serve`.
    ///
    /// Keys: `rate_limit_per_hour` (default 10, 0 = off; per process, per client address),
    /// `max_body_bytes` (default 32768), `duplicate_window_minutes` (default 10),
    /// `trust_forwarded_for` (default false; only behind a proxy that sets `X-Forwarded-For`),
    /// `golden_hour_minutes` (default 60), `client_key_secret` (`${ENV}`; servers sharing it recognise
    /// each other's duplicates — set it when several servers share a PostgreSQL database).
    public struct IntakeSection: Sendable, Decodable {
        public var settings = IntakeSettings()

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case rateLimitPerHour = "rate_limit_per_hour"
            case maxBodyBytes = "max_body_bytes"
            case duplicateWindowMinutes = "duplicate_window_minutes"
            case trustForwardedFor = "trust_forwarded_for"
            case goldenHourMinutes = "golden_hour_minutes"
            case clientKeySecret = "client_key_secret"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            func fail(_ key: CodingKeys, _ reason: String) -> TyndauError {
                .configuration(ConfigurationPath.render(decoder.codingPath + [key]), reason)
            }
            if let value = try container.decodeIfPresent(Int.self, forKey: .rateLimitPerHour) {
                guard (0...100_000).contains(value) else { throw fail(.rateLimitPerHour, "must be 0–100000 (0 turns the limit off)") }
                settings.rateLimitPerHour = value
            }
            if let value = try container.decodeIfPresent(Int.self, forKey: .maxBodyBytes) {
                guard (4096...1_048_576).contains(value) else { throw fail(.maxBodyBytes, "must be 4096–1048576") }
                settings.maxBodyBytes = value
            }
            if let value = try container.decodeIfPresent(Int.self, forKey: .duplicateWindowMinutes) {
                guard (0...1440).contains(value) else { throw fail(.duplicateWindowMinutes, "must be 0–1440") }
                settings.duplicateWindowMinutes = value
            }
            if let value = try container.decodeIfPresent(Bool.self, forKey: .trustForwardedFor) {
                settings.trustForwardedFor = value
            }
            if let value = try container.decodeIfPresent(Int.self, forKey: .goldenHourMinutes) {
                guard (1...1440).contains(value) else { throw fail(.goldenHourMinutes, "must be 1–1440") }
                settings.goldenHourMinutes = value
            }
            if let secret = try container.decodeIfPresent(Secret.self, forKey: .clientKeySecret) {
                guard secret.value.utf8.count >= 16 else { throw fail(.clientKeySecret, "must be at least 16 bytes") }
                settings.clientKeySecret = secret
            }
        }
    }

    /// What `tyndau serve` runs with: the `server:`, `intake:` and `open311:` sections together. Status links use
    /// `server.public_url`: the base of status links, in receipts and in published notices alike.
    public var serverSettings: ServerSettings {
        ServerSettings(
            host: server.host, port: server.port, publicURL: server.publicURL, intake: intake.settings,
            officeToken: server.officeToken?.value, open311: open311.settings
        )
    }
}
