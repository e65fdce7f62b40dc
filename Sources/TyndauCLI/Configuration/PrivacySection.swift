import Foundation
import TyndauCore

extension TyndauConfiguration {
    /// The `privacy:` section: how long residents' personal data is kept.
    ///
    /// Keys: `retention_days` (1–36500; default none = kept until erased on request). When set,
    /// `tyndau worker` and `tyndau serve` (unless `--without-worker`) erase, once an hour, the personal
    /// data of questions closed more than this many days ago (see `PersonalDataRights`); the questions
    /// stay, anonymous.
    public struct PrivacySection: Sendable, Decodable {
        public var retentionDays: Int?

        public init(retentionDays: Int? = nil) {
            self.retentionDays = retentionDays
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case retentionDays = "retention_days"
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let days = try container.decodeIfPresent(Int.self, forKey: .retentionDays) {
                guard (1...36_500).contains(days) else {
                    throw TyndauError.configuration(
                        ConfigurationPath.render(decoder.codingPath + [CodingKeys.retentionDays]), "must be 1–36500 days")
                }
                retentionDays = days
            }
        }
    }
}
