import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix
import TyndauCore

/// Passwords and session tokens of office accounts: bcrypt for passwords (run on NIO's thread
/// pool, never on an event loop), 256-bit random tokens whose SHA-256 digest is all storage keeps.
public enum OfficeCredentials {
    /// Passwords shorter than this are refused.
    public static let minimumPasswordLength = 10

    /// The bcrypt hash of `password`, or a validation error naming `password`.
    public static func hash(_ password: String, cost: UInt8 = 12) async throws -> String {
        guard password.count >= minimumPasswordLength else {
            throw TyndauError.validation(["password": "field.password-too-short"])
        }
        guard password.utf8.count <= 72 else { throw TyndauError.validation(["password": "field.password-too-long"]) }
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`; takes the same time for unknown accounts (see ``decoyHash``).
    public static func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// Verified against when the account does not exist, so a wrong name costs as long as a wrong password.
    static let decoyHash = Bcrypt.hash("decoy-password-never-valid", cost: 10)

    /// 32 random bytes from the system's secure generator, hex encoded.
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// Hex SHA-256 of a session token: what the session table stores.
    public static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
