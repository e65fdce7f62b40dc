import Foundation
import Hummingbird
import Logging

/// Gives every request an id: the client's `X-Request-Id` when it is a safe token (1–128 characters
/// of `A–Z a–z 0–9 . _ : -`, e.g. nginx's `$request_id` or a UUID), else a fresh random one. The id
/// goes into the request logger's metadata as `request_id` — so every line logged while the request
/// runs carries it — and back to the client in the response's `X-Request-Id`.
///
/// A header that fails the check is replaced, never logged: it might hold anything.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headerName: HTTPFields.Element.Name { .init("X-Request-Id")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = Self.accepted(request.headers[Self.headerName]) ?? Self.generate()
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[Self.headerName] = id
        return response
    }

    /// The given id when it is safe to log and echo, else `nil`.
    static func accepted(_ raw: String?) -> String? {
        guard let raw, (1...128).contains(raw.utf8.count) else { return nil }
        let safe = raw.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"):
                true
            default: false
            }
        }
        return safe ? raw : nil
    }

    /// 128 random bits as 32 hex digits.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex(generator.next() as UInt64, generator.next() as UInt64)
    }

    /// `high` and `low` as 32 lowercase hex digits, zero-padded (what `%016llx%016llx` gives, without
    /// Foundation's formatter on every request).
    static func hex(_ high: UInt64, _ low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 32) { buffer in
            for index in 0..<32 {
                let value = index < 16 ? high : low
                let nibble = UInt8(truncatingIfNeeded: value >> (60 - 4 * UInt64(index % 16))) & 0xF
                buffer[index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
            }
            return 32
        }
    }
}
