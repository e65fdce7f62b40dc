import Foundation
import Hummingbird
import Logging
import TyndauCore

/// Our JSON error shape, `{"error": {"code", "message", "fields": {…}}}`, with the message and the
/// field reasons in the request's language. 429 and 503 answers carry `Retry-After`.
struct APIErrorResponse: Encodable {
    struct Body: Encodable {
        var code: String
        var message: String
        var fields: [String: String]
    }

    var error: Body

    static func status(for error: TyndauError) -> HTTPResponse.Status {
        switch error.code {
        case .validation: .unprocessableContent
        case .malformed, .badParameter: .badRequest
        case .tooLarge: .contentTooLarge
        case .rateLimited: .tooManyRequests
        case .notFound: .notFound
        case .unsupportedMediaType: .unsupportedMediaType
        case .conflict, .meetingClosed, .meetingNotStarted, .agendaFrozen, .illegalTransition: .conflict
        case .unauthorized: .unauthorized
        case .databaseUnavailable: .serviceUnavailable
        default: .internalServerError
        }
    }

    static func response(_ error: TyndauError, language: UILanguage) -> Response {
        let body = APIErrorResponse(error: Body(
            code: error.code.rawValue,
            message: ServerText.message(error, language),
            fields: ServerText.fields(error, language)
        ))
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .contentLanguage: language.rawValue]
        if let retryAfter = error.retryAfterSeconds { headers[.retryAfter] = String(retryAfter) }
        if error.code == .unauthorized { headers[.wwwAuthenticate] = #"Bearer realm="tyndau""# }
        return Response(status: status(for: error), headers: headers, body: .init(byteBuffer: JSONBody.encode(body)))
    }
}

extension TyndauError {
    /// How long a client waits before trying again when the database cannot be reached.
    static let unavailableRetrySeconds = 30

    /// What a failure of the server's side (the database down, a statement refused, a bug) looks like to a
    /// client: 503 `database-unavailable` with `Retry-After` when the database cannot be reached, else 500
    /// `internal` — without the database's address or the engine's message, which go to the log.
    static let serviceUnavailable = TyndauError(
        code: .databaseUnavailable, messageKey: "error.service-unavailable", arguments: [String(unavailableRetrySeconds)])

    /// The error as a client may see it: the client's own mistakes as they are; a server-side failure
    /// logged with its details and replaced by ``serviceUnavailable`` or ``internalFailure``.
    func publicFacing(logger: Logger) -> TyndauError {
        guard APIErrorResponse.status(for: self).code >= 500, self != .serviceUnavailable, self != .internalFailure else { return self }
        logger.error("request.failed", metadata: ["error.code": "\(code)", "error": "\(self)"])
        return code == .databaseUnavailable ? .serviceUnavailable : .internalFailure
    }

    static let unsupportedMediaType = TyndauError(code: .unsupportedMediaType, messageKey: "error.unsupported-media-type")
}

/// JSON encoding for responses: sorted keys, ISO 8601 dates, slashes unescaped.
enum JSONBody {
    static func encode<T: Encodable>(_ value: T) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // Our own value types always encode; a failure here is a programming error.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return ByteBuffer(bytes: data)
    }

    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, language: UILanguage? = nil) -> Response {
        response(bytes: encode(value), status: status, language: language)
    }

    static func response(bytes: ByteBuffer, status: HTTPResponse.Status = .ok, language: UILanguage? = nil) -> Response {
        // API answers may carry a resident's question and place: never cached, never sniffed.
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]
        if let language { headers[.contentLanguage] = language.rawValue }
        return Response(status: status, headers: headers, body: .init(byteBuffer: bytes))
    }

    /// Writes JSON the way ``encode(_:)`` does — keys in the order the caller gives them (sorted),
    /// strings escaped like `JSONEncoder` (quote, backslash and control characters; slashes and
    /// non-ASCII as they are), dates as ISO 8601 — for answers sent so often that the generic encoder shows.
    struct Writer {
        private(set) var bytes: [UInt8] = []
        private var first = [true]

        init() { bytes.reserveCapacity(512) }

        mutating func beginObject() {
            bytes.append(UInt8(ascii: "{"))
            first.append(true)
        }

        mutating func endObject() {
            bytes.append(UInt8(ascii: "}"))
            first.removeLast()
        }

        /// Starts member `key`; its value is written next.
        mutating func key(_ key: String) {
            if first[first.count - 1] {
                first[first.count - 1] = false
            } else {
                bytes.append(UInt8(ascii: ","))
            }
            string(key)
            bytes.append(UInt8(ascii: ":"))
        }

        mutating func string(_ value: String) {
            bytes.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
                case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
                case 0x00..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0xF)])
                default: bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }

        mutating func bool(_ value: Bool) {
            bytes.append(contentsOf: (value ? "true" : "false").utf8)
        }

        mutating func date(_ value: Date) {
            string(value.formatted(.iso8601))
        }

        var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }
    }
}
