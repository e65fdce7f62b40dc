import Foundation
import TyndauCore

/// What `tyndau serve` needs to know, read once at start-up from the `server:` and `intake:`
/// sections of the configuration (see `TyndauConfiguration`).
public struct ServerSettings: Sendable {
    /// `server.host`, `server.port`.
    public var host: String
    public var port: Int
    /// `server.public_url`: the address residents reach the server at (`https://tyndau.example.kz`);
    /// status links are absolute when it is set and relative (`/status/…`) otherwise.
    public var publicURL: String?
    public var intake: IntakeSettings
    /// `server.office_token`: the bearer token of the office API (answers during the meeting);
    /// `nil` turns that API off.
    public var officeToken: String?
    /// The office console's sessions, sign-in limits and masked endpoint addresses.
    public var office: OfficeSettings
    /// The `open311:` section: the jurisdiction this server answers for and the discovery contact.
    public var open311: Open311Settings

    public init(
        host: String = "127.0.0.1", port: Int = 8080, publicURL: String? = nil, intake: IntakeSettings = IntakeSettings(),
        officeToken: String? = nil, office: OfficeSettings = OfficeSettings(), open311: Open311Settings = Open311Settings()
    ) {
        self.office = office
        self.open311 = open311
        self.host = host
        self.port = port
        self.publicURL = publicURL
        self.intake = intake
        self.officeToken = officeToken
    }
}

/// Abuse protection and limits for submissions, the `intake:` configuration section.
///
/// The rate limiter and the client identity live in the memory of one `tyndau serve` process:
/// several processes behind a balancer each allow the limit, and a restart forgets them.
public struct IntakeSettings: Sendable, Hashable {
    /// `intake.rate_limit_per_hour`: accepted submissions per client address and hour; 0 turns the
    /// limit off (the benchmark does). Default 10.
    public var rateLimitPerHour: Int
    /// `intake.max_body_bytes`: larger request bodies get 413. Default 32 KiB — a 2000-character
    /// Kazakh text percent-encoded in a form is about 12 KiB.
    public var maxBodyBytes: Int
    /// `intake.duplicate_window_minutes`: the same text from the same client within this many minutes
    /// returns the first ticket. Default 10.
    public var duplicateWindowMinutes: Int
    /// `intake.trust_forwarded_for`: take the client address from `X-Forwarded-For` (only behind a
    /// reverse proxy that sets it). Default false.
    public var trustForwardedFor: Bool
    /// `intake.golden_hour_minutes`: the triage promise the SLA report measures. Default 60.
    public var goldenHourMinutes: Int
    /// `intake.client_key_secret`: servers sharing it derive the same client and text keys, so the
    /// duplicate check holds across them (see ``ClientIdentity``). Default none: keys per process.
    public var clientKeySecret: Secret?

    public init(
        rateLimitPerHour: Int = 10,
        maxBodyBytes: Int = 32 * 1024,
        duplicateWindowMinutes: Int = 10,
        trustForwardedFor: Bool = false,
        goldenHourMinutes: Int = 60,
        clientKeySecret: Secret? = nil
    ) {
        self.rateLimitPerHour = rateLimitPerHour
        self.maxBodyBytes = maxBodyBytes
        self.duplicateWindowMinutes = duplicateWindowMinutes
        self.trustForwardedFor = trustForwardedFor
        self.goldenHourMinutes = goldenHourMinutes
        self.clientKeySecret = clientKeySecret
    }
}

/// The `open311:` configuration section.
public struct Open311Settings: Sendable, Hashable {
    /// `open311.jurisdiction_id`: when set, a request naming another `jurisdiction_id` is refused
    /// (400, GeoReport error); a request without one is served. Default none: any value is accepted.
    public var jurisdictionID: String?
    /// `open311.contact`: who answers questions about the API, shown by discovery. Default: the
    /// akimat's office, in the request's language.
    public var contact: String?

    public init(jurisdictionID: String? = nil, contact: String? = nil) {
        self.jurisdictionID = jurisdictionID
        self.contact = contact
    }
}
