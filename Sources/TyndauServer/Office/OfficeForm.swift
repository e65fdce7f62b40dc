import Foundation
import Hummingbird
import TyndauCore

/// A console form post: `application/x-www-form-urlencoded` fields, every value of a repeated
/// name kept (checkbox lists), decoding total like ``RequestFields``.
struct OfficeForm: Sendable {
    var pairs: [(name: String, value: String)] = []

    /// The first value of `name`, trimmed; `nil` when absent or blank.
    subscript(_ name: String) -> String? {
        let value = pairs.first { $0.name == name }?.value.trimmingCharacters(in: .whitespacesAndNewlines)
        return value?.isEmpty == false ? value : nil
    }

    /// The first value of `name` as typed (multi-line text keeps its inner lines).
    func raw(_ name: String) -> String? { pairs.first { $0.name == name }?.value }

    func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    static func read(_ request: Request, limit: Int) async throws -> OfficeForm {
        let contentType = RequestFields.mediaType(request.headers[.contentType])
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw TyndauError.bodyTooLarge(limit: limit)
        }
        guard contentType == "application/x-www-form-urlencoded" || (contentType.isEmpty && buffer.readableBytes == 0)
        else { throw TyndauError.unsupportedMediaType }
        return try parse(Array(buffer.readableBytesView))
    }

    static func parse(_ bytes: [UInt8]) throws -> OfficeForm {
        var form = OfficeForm()
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = RequestFields.percentDecoded(parts[0]),
                let value = parts.count > 1 ? RequestFields.percentDecoded(parts[1]) : ""
            else { throw TyndauError.malformedBody }
            form.pairs.append((name, value))
        }
        return form
    }
}
