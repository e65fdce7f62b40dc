import Foundation
import Hummingbird
import TyndauCore

/// Keyset paging for the console's long lists: `after=ID` (the next page starts after that row) or
/// `before=ID` (the previous page ends before it), never an offset, so a page costs the same after a
/// year of questions; `size` bounds the rows of one page.
struct PageCursor: Sendable, Hashable {
    var id: Int64?
    var side: PageSide

    /// The first page.
    static let first = PageCursor(id: nil, side: .after)

    init(id: Int64?, side: PageSide) {
        self.id = id
        self.side = side
    }

    /// Reads `after` or `before` (not both): a positive number, else a validation error naming the field.
    init(_ request: Request) throws {
        let after = OfficeConsole.query(request, "after")
        let before = OfficeConsole.query(request, "before")
        if after != nil, before != nil { throw TyndauError.validation(["before": "field.unknown-value"]) }
        guard let raw = after ?? before else {
            self = .first
            return
        }
        let side: PageSide = after != nil ? .after : .before
        guard raw.count <= 19, let id = Int64(raw), id > 0 else { throw TyndauError.validation([side.rawValue: "field.invalid-id"]) }
        self.init(id: id, side: side)
    }

    /// The query field this cursor came from.
    var field: String { side.rawValue }
}

extension OfficeConsole {
    /// `size`: rows on one page, 1…`limit`; `default` when absent.
    static func pageSize(_ request: Request, default size: Int, limit: Int) throws -> Int {
        guard let raw = query(request, "size") else { return size }
        guard raw.count <= 4, let value = Int(raw), (1...limit).contains(value) else {
            throw TyndauError.validation(["size": "field.page-size"])
        }
        return value
    }

    /// The previous/next links of a page whose rows have these ids (in page order): the request's own
    /// query (filters, size) with the cursor replaced. `nil` when there is nowhere to go.
    static func pager(_ request: Request, ids: [Int64?], previous: Bool, next: Bool) -> [String: Any]? {
        let ids = ids.compactMap { $0 }
        // The other query items as the client sent them (already percent-encoded); the language stays in its cookie.
        let all = (request.uri.query ?? "").split(separator: "&").map(String.init)
        let kept = all.filter { item in
            !["after=", "before=", "lang="].contains { item.hasPrefix($0) } && !["after", "before"].contains(item)
        }
        func link(_ cursor: String?) -> String {
            let items = kept + (cursor.map { [$0] } ?? [])
            return request.uri.path + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
        }
        // Past the end (the rows after the cursor were triaged meanwhile): back to the first page.
        if ids.isEmpty, all.contains(where: { $0.hasPrefix("after=") || $0.hasPrefix("before=") }) { return ["first": link(nil)] }
        guard previous || next, let first = ids.first, let last = ids.last else { return nil }
        var values: [String: Any] = [:]
        if previous { values["previous"] = link("before=\(first)") }
        if next { values["next"] = link("after=\(last)") }
        return values
    }
}
