import Foundation
import TyndauCore

/// Where a PostgreSQL database is and how to reach it, parsed from
/// `postgres://user:password@host:port/name?sslmode=…` (or `postgresql://`).
///
/// The password is a secret: ``description`` and every error show the location with `***` in its place,
/// so the value can be logged, printed by `tyndau serve` and put in audit details safely.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// libpq's `sslmode` values Tyndau honours.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP (loopback, a private network, a socket-like sidecar).
        case disable
        /// TLS when the server offers it, without verifying its certificate; plain otherwise (libpq's default).
        case prefer
        /// TLS required; the certificate is not verified (libpq's `require`).
        case require
        /// TLS required with the certificate checked against the system's roots (or `sslrootcert`)
        /// and the host name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: Secret?
    public var database: String
    public var tlsMode: TLSMode
    /// `sslrootcert`: a PEM file of trusted roots for `verify-full` (system roots otherwise).
    public var rootCertificatePath: String?
    /// `application_name` shown in `pg_stat_activity`.
    public var applicationName: String
    /// `pool_max`: the most connections this process opens (default 20).
    public var maximumConnections: Int
    /// `connect_timeout` in seconds (default 10).
    public var connectTimeoutSeconds: Int
    /// `intake_transactions`: intake transactions one server keeps under way at once (default 2). Each
    /// holds a pooled connection while its commit waits for the WAL flush; the next batches run meanwhile.
    public var intakeTransactions: Int = 2

    public init(
        host: String, port: Int = 5432, username: String, password: Secret? = nil, database: String,
        tlsMode: TLSMode = .prefer, rootCertificatePath: String? = nil, applicationName: String = "tyndau",
        maximumConnections: Int = 20, connectTimeoutSeconds: Int = 10
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tlsMode = tlsMode
        self.rootCertificatePath = rootCertificatePath
        self.applicationName = applicationName
        self.maximumConnections = maximumConnections
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// Whether a database setting names PostgreSQL rather than a SQLite file.
    public static func isPostgresURL(_ setting: String) -> Bool {
        let lower = setting.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// Parses a `postgres://` or `postgresql://` URL. Percent-escapes in the user name, password and
    /// database name are decoded. Unknown query parameters are refused, so a typo (`sslmod=`) does not
    /// silently fall back to an unencrypted connection.
    public init(url text: String) throws {
        guard Self.isPostgresURL(text) else { throw Self.invalid(text, "scheme must be postgres:// or postgresql://") }
        let schemeEnd = text.range(of: "://")!
        var rest = Substring(text[schemeEnd.upperBound...])
        var query = ""
        if let mark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: mark)...])
            rest = rest[..<mark]
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[rest.index(after: slash)...])
            rest = rest[..<slash]
        }
        var userInfo: Substring?
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        var user = "postgres"
        var password: Secret?
        if let userInfo {
            if let colon = userInfo.firstIndex(of: ":") {
                user = String(userInfo[..<colon])
                password = Secret(String(userInfo[userInfo.index(after: colon)...]).removingPercentEncoding ?? "")
            } else {
                user = String(userInfo)
            }
            user = user.removingPercentEncoding ?? user
        }
        var host = String(rest)
        var port = 5432
        if host.hasPrefix("[") {
            // IPv6 literal: [::1]:5432
            guard let close = host.firstIndex(of: "]") else { throw Self.invalid(text, "unclosed [ in host") }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()), (1...65_535).contains(value) else { throw Self.invalid(text, "bad port") }
                port = value
            }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let value = Int(host[host.index(after: colon)...]), (1...65_535).contains(value) else {
                throw Self.invalid(text, "bad port")
            }
            port = value
            host = String(host[..<colon])
        }
        if host.isEmpty { host = "localhost" }
        let database = path.removingPercentEncoding ?? path
        self.init(host: host, port: port, username: user, password: password, database: database.isEmpty ? user : database)
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            switch key {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw Self.invalid(text, "sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tlsMode = mode
            case "sslrootcert":
                rootCertificatePath = value
            case "application_name":
                applicationName = value
            case "pool_max":
                guard let count = Int(value), (1...1000).contains(count) else { throw Self.invalid(text, "pool_max must be 1–1000") }
                maximumConnections = count
            case "connect_timeout":
                guard let seconds = Int(value), (1...600).contains(seconds) else {
                    throw Self.invalid(text, "connect_timeout must be 1–600")
                }
                connectTimeoutSeconds = seconds
            case "intake_transactions":
                guard let count = Int(value), (1...64).contains(count) else {
                    throw Self.invalid(text, "intake_transactions must be 1–64")
                }
                intakeTransactions = count
            default:
                throw Self.invalid(text, "unknown parameter \(key)")
            }
        }
    }

    /// The URL with the password replaced by `***`: safe for logs, errors and output.
    public var description: String {
        let credentials = password == nil ? username : "\(username):***"
        let hostPart = host.contains(":") ? "[\(host)]" : host
        var text = "postgres://\(credentials)@\(hostPart):\(port)/\(database)"
        var parameters: [String] = []
        if tlsMode != .prefer { parameters.append("sslmode=\(tlsMode.rawValue)") }
        if let rootCertificatePath { parameters.append("sslrootcert=\(rootCertificatePath)") }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return text
    }

    public var debugDescription: String { description }

    /// A copy naming another database on the same server (the tests' throwaway databases).
    public func with(database name: String) -> PostgresLocation {
        var copy = self
        copy.database = name
        return copy
    }

    /// A configuration error naming the URL with its password hidden.
    static func invalid(_ text: String, _ reason: String) -> TyndauError {
        TyndauError.configuration("database", "\(redact(text)): \(reason)")
    }

    /// Hides the password of a URL that may not even parse: everything between the first `:` after
    /// the scheme and the last `@` of the authority.
    public static func redact(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text }
        let afterScheme = text[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}
