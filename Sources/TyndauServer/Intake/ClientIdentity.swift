import Crypto
import Foundation
import TyndauCore

/// Who is submitting, for the rate limit and the duplicate check — without keeping their address.
///
/// By default the key is a SipHash of the address keyed with the process's random seed (Swift's
/// `Hasher`): it cannot be turned back into the address, and it means nothing to another process or
/// after a restart, which is all one server's rate limit and 10-minute duplicate window need.
/// With `intake.client_key_secret` the keys are an HMAC-SHA256 under that secret instead: the same for
/// every server that shares it, so the duplicate check (kept in the database) holds across several
/// servers behind a load balancer.
public struct ClientIdentity: Sendable, Hashable {
    public let key: String

    /// `address` is the peer's IP address, or `X-Forwarded-For`'s first entry when trusted.
    public init(address: String?, secret: Secret? = nil) {
        if let secret {
            key = Self.keyed("client", address ?? "unknown", secret: secret)
            return
        }
        var hasher = Hasher()
        hasher.combine("client")
        hasher.combine(address ?? "unknown")
        key = String(UInt64(bitPattern: Int64(hasher.finalize())), radix: 16)
    }

    /// The first address of an `X-Forwarded-For` header (the original client), trimmed.
    public static func forwardedAddress(_ header: String?) -> String? {
        guard let first = header?.split(separator: ",").first else { return nil }
        let trimmed = first.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A hash of normalised text, for "the same text again": per process, or keyed with `secret`.
    public static func textKey(_ text: String, secret: Secret? = nil) -> String {
        if let secret { return keyed("text", text, secret: secret) }
        var hasher = Hasher()
        hasher.combine("text")
        hasher.combine(text)
        return String(UInt64(bitPattern: Int64(hasher.finalize())), radix: 16)
    }

    /// The first 16 bytes of HMAC-SHA256(secret, purpose ‖ 0 ‖ value), in hex.
    static func keyed(_ purpose: String, _ value: String, secret: Secret) -> String {
        var message = Data(purpose.utf8)
        message.append(0)
        message.append(contentsOf: Data(value.utf8))
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.value.utf8)))
        return code.prefix(16).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
