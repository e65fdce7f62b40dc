import Foundation

/// How the office console signs people in and what it shows of the publisher's configuration.
/// Part of ``ServerSettings``; the defaults suit one district office.
public struct OfficeSettings: Sendable {
    /// A session unused this long ends (default 30 minutes).
    public var idleTimeout: TimeInterval
    /// A session ends this long after sign-in whatever the activity (default 12 hours).
    public var sessionLifetime: TimeInterval
    /// Failed sign-ins allowed per client address, and per account from one address (so nobody can lock
    /// an owner out from elsewhere), within `signInWindow`.
    public var signInAttemptsPerAddress: Int
    public var signInAttemptsPerAccount: Int
    public var signInWindow: TimeInterval
    /// bcrypt cost of new password hashes (tests lower it; 12 takes ~0.25 s on one core).
    public var bcryptCost: UInt8
    /// Each configured endpoint's address with every secret masked, by endpoint name, for the
    /// endpoints page (the publisher's configuration stays in the CLI module).
    public var endpointAddresses: [String: String]

    public init(
        idleTimeout: TimeInterval = 30 * 60,
        sessionLifetime: TimeInterval = 12 * 3600,
        signInAttemptsPerAddress: Int = 20,
        signInAttemptsPerAccount: Int = 5,
        signInWindow: TimeInterval = 15 * 60,
        bcryptCost: UInt8 = 12,
        endpointAddresses: [String: String] = [:]
    ) {
        self.idleTimeout = idleTimeout
        self.sessionLifetime = sessionLifetime
        self.signInAttemptsPerAddress = signInAttemptsPerAddress
        self.signInAttemptsPerAccount = signInAttemptsPerAccount
        self.signInWindow = signInWindow
        self.bcryptCost = bcryptCost
        self.endpointAddresses = endpointAddresses
    }
}
