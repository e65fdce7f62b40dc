import Foundation
import Hummingbird
import TyndauCore

/// A request body read into named string fields — from a JSON object or an
/// `application/x-www-form-urlencoded` form — with wrong-typed JSON values named, not guessed.
///
/// Reading is total: any byte sequence gives fields or ``TyndauError/malformedBody``, never a crash.
package struct RequestFields: Sendable {
    package var values: [String: String] = [:]
    /// Booleans given as JSON `true`/`false` or form `on`/`yes`/`true`/`1`.
    package var flags: [String: Bool] = [:]
    /// Fields whose JSON value had a type we do not take (number for text, object, array …).
    package var wrongType: Set<String> = []

    package subscript(_ name: String) -> String? { values[name] }

    /// Reads the body with at most `limit` bytes, choosing JSON or form by `Content-Type`.
    static func read(_ request: Request, limit: Int, known: Set<String>, booleanFields: Set<String>) async throws -> RequestFields {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw TyndauError.bodyTooLarge(limit: limit)
        }
        let bytes = Array(buffer.readableBytesView)
        let contentType = mediaType(request.headers[.contentType])
        if contentType == "application/x-www-form-urlencoded" {
            return try form(bytes, booleanFields: booleanFields)
        }
        if contentType.isEmpty || contentType == "application/json" || contentType.hasSuffix("+json") {
            return try json(bytes, known: known, booleanFields: booleanFields)
        }
        throw TyndauError.unsupportedMediaType
    }

    /// The media type of a `Content-Type` value: `type/subtype` lowercased, parameters dropped
    /// (`text/html; a=+json` is `text/html`, not JSON).
    package static func mediaType(_ header: String?) -> String {
        guard let header else { return "" }
        if header == "application/json" { return header }  // what nearly every API client sends
        let essence = header.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return essence.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// A JSON object's string and boolean members; other types are named in ``wrongType`` for the
    /// fields we read (`known`), and ignored for the rest (Open311's numeric `lat`/`long`, say).
    package static func json(_ bytes: [UInt8], known: Set<String>, booleanFields: Set<String>) throws -> RequestFields {
        let decoder = JSONDecoder()
        decoder.userInfo[JSONObjectFields.knownKey] = known
        decoder.userInfo[JSONObjectFields.booleanKey] = booleanFields
        do {
            return try decoder.decode(JSONObjectFields.self, from: Data(bytes)).fields
        } catch {
            throw TyndauError.malformedBody
        }
    }

    package static func form(_ bytes: [UInt8], booleanFields: Set<String>) throws -> RequestFields {
        var fields = RequestFields()
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecoded(parts[0]) else { throw TyndauError.malformedBody }
            guard let value = parts.count > 1 ? percentDecoded(parts[1]) : "" else { throw TyndauError.malformedBody }
            if booleanFields.contains(name) {
                fields.flags[name] = ["on", "yes", "true", "1"].contains(value.lowercased())
            } else if fields.values[name] == nil {
                fields.values[name] = value
            }
        }
        return fields
    }

    /// `+` as space and `%XX` escapes; `nil` for a broken escape or bytes that are not UTF-8.
    static func percentDecoded(_ input: ArraySlice<UInt8>) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = input.startIndex
        while index < input.endIndex {
            let byte = input[index]
            if byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < input.endIndex,
                    let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2])
                else { return nil }
                output.append(high << 4 | low)
                index += 2
            } else {
                output.append(byte)
            }
            index += 1
        }
        return String(validating: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The wrong-typed fields as a validation error, or nothing.
    package func checkTypes() throws {
        guard !wrongType.isEmpty else { return }
        throw TyndauError.validation(Dictionary(uniqueKeysWithValues: wrongType.map { ($0, "field.wrong-type") }))
    }
}

/// Decodes a top-level JSON object member by member without Foundation's object graph: strings and
/// booleans are kept, `null` is absent, anything else in a known field is a wrong type.
private struct JSONObjectFields: Decodable {
    static let knownKey = CodingUserInfoKey(rawValue: "tyndau.known")!
    static let booleanKey = CodingUserInfoKey(rawValue: "tyndau.boolean")!

    var fields = RequestFields()

    init(from decoder: any Decoder) throws {
        let known = decoder.userInfo[Self.knownKey] as? Set<String> ?? []
        let booleans = decoder.userInfo[Self.booleanKey] as? Set<String> ?? []
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys {
            let name = key.stringValue
            guard known.contains(name) || booleans.contains(name) else { continue }
            if try container.decodeNil(forKey: key) { continue }
            if booleans.contains(name) {
                if let flag = try? container.decode(Bool.self, forKey: key) {
                    fields.flags[name] = flag
                } else {
                    fields.wrongType.insert(name)
                }
            } else if let value = try? container.decode(String.self, forKey: key) {
                fields.values[name] = value
            } else {
                fields.wrongType.insert(name)
            }
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
