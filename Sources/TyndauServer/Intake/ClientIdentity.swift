import Foundation

/// Who is submitting, for the rate limit and the duplicate check — without keeping their address.
///
/// The key is a SipHash of the address keyed with the process's random seed (Swift's `Hasher`):
/// it cannot be turned back into the address, and it means nothing to another process or after a
/// restart, which is all the rate limit and the 10-minute duplicate window need.
public struct ClientIdentity: Sendable, Hashable {
    public let key: String

    /// `address` is the peer's IP address, or `X-Forwarded-For`'s first entry when trusted.
    public init(address: String?) {
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

    /// A per-process hash of normalised text, for "the same text again".
    public static func textKey(_ text: String) -> String {
        var hasher = Hasher()
        hasher.combine("text")
        hasher.combine(text)
        return String(UInt64(bitPattern: Int64(hasher.finalize())), radix: 16)
    }
}
