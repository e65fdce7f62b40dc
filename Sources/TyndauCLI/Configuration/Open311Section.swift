import Foundation
import TyndauCore
import TyndauServer

extension TyndauConfiguration {
    /// The `open311:` section of `tyndau serve`.
    ///
    /// Keys: `jurisdiction_id` (default none; when set, GeoReport requests naming another
    /// `jurisdiction_id` are refused with 400), `contact` (default: the akimat's office in the
    /// request's language; discovery's `contact`).
    public struct Open311Section: Sendable, Decodable {
        public var settings = Open311Settings()

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case jurisdictionID = "jurisdiction_id"
            case contact
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            func fail(_ key: CodingKeys, _ reason: String) -> TyndauError {
                .configuration(ConfigurationPath.render(decoder.codingPath + [key]), reason)
            }
            if let value = try container.decodeIfPresent(String.self, forKey: .jurisdictionID) {
                let trimmed = value.trimmingCharacters(in: .whitespaces)
                guard !trimmed.isEmpty, trimmed.count <= 200, !trimmed.contains(where: \.isNewline) else {
                    throw fail(.jurisdictionID, "must be a non-empty line of at most 200 characters")
                }
                settings.jurisdictionID = trimmed
            }
            if let value = try container.decodeIfPresent(String.self, forKey: .contact) {
                let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !trimmed.isEmpty, trimmed.count <= 500 else { throw fail(.contact, "must be 1–500 characters") }
                settings.contact = trimmed
            }
        }
    }
}
