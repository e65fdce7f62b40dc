import Foundation

/// What an office account may do in the console: operators triage, group and answer; admins also
/// manage endpoints, users and the meeting series.
public enum OfficeRole: String, Sendable, Codable, CaseIterable, Hashable {
    case `operator`
    case admin
}

/// An office account. The password is kept only as a bcrypt hash, made by the server module.
public struct OfficeUser: Sendable, Codable, Hashable {
    public typealias ID = Int64

    public var id: ID?
    /// Login name: 2–40 letters, digits, `.`, `_` or `-`; unique, compared case-insensitively.
    public var name: String
    public var role: OfficeRole
    public var passwordHash: String
    /// A disabled account cannot sign in and its sessions are gone.
    public var disabled: Bool
    public var createdAt: Date

    public init(id: ID? = nil, name: String, role: OfficeRole, passwordHash: String, disabled: Bool = false, createdAt: Date) {
        self.id = id
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.disabled = disabled
        self.createdAt = createdAt
    }

    /// Whether `name` is an acceptable login name.
    public static func isValidName(_ name: String) -> Bool {
        guard (2...40).contains(name.count) else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar))
        }
    }
}

/// A signed-in browser. The cookie holds a random token; storage keeps only its SHA-256 digest, so
/// a copy of the database does not let anyone sign in.
public struct OfficeSession: Sendable, Hashable {
    /// Hex SHA-256 of the cookie's token.
    public var tokenDigest: String
    public var user: OfficeUser
    /// The synchronizer token every form of this session carries.
    public var csrfToken: String
    public var createdAt: Date
    public var lastSeenAt: Date
    /// Absolute end, whatever the activity.
    public var expiresAt: Date

    public init(tokenDigest: String, user: OfficeUser, csrfToken: String, createdAt: Date, lastSeenAt: Date, expiresAt: Date) {
        self.tokenDigest = tokenDigest
        self.user = user
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.expiresAt = expiresAt
    }
}

/// Office accounts and their server-side sessions. Every method is one transaction; changes to
/// accounts are audited with `actor`.
public protocol UserStore: Sendable {
    /// Stores a new account, audited; `nil`, storing nothing, when the name is taken in any case.
    /// ``addUser(_:actor:now:)`` is the rule over it.
    func insertUser(_ user: OfficeUser, actor: String, now: Date) async throws -> OfficeUser?

    /// Every account, by name.
    func officeUsers() async throws -> [OfficeUser]

    /// The account named `name` (any case), or `nil`.
    func officeUser(name: String) async throws -> OfficeUser?

    /// Disables (or re-enables) an account; disabling ends its sessions.
    @discardableResult
    func setUserDisabled(name: String, disabled: Bool, actor: String, now: Date) async throws -> OfficeUser

    /// Replaces an account's password hash and ends its sessions (a reset signs everyone out).
    @discardableResult
    func setPasswordHash(name: String, passwordHash: String, actor: String, now: Date) async throws -> OfficeUser

    /// Stores a new session for a user.
    func createSession(_ session: OfficeSession) async throws

    /// The live session with `tokenDigest`, its `lastSeenAt` moved to `now`; `nil` (and the row gone)
    /// when it expired, stayed idle longer than `idleTimeout`, or its account is disabled.
    func activeSession(tokenDigest: String, now: Date, idleTimeout: TimeInterval) async throws -> OfficeSession?

    /// Ends a session (sign-out); unknown digests are ignored.
    func deleteSession(tokenDigest: String) async throws
}

extension UserStore {
    /// Stores a new account; a taken name (any case) is ``TyndauError/userNameTaken(_:)``.
    @discardableResult
    public func addUser(_ user: OfficeUser, actor: String, now: Date) async throws -> OfficeUser {
        guard let stored = try await insertUser(user, actor: actor, now: now) else { throw TyndauError.userNameTaken(user.name) }
        return stored
    }
}
