import Foundation
import Hummingbird
import TyndauCore

/// The language a request is answered in: `?lang=` (remembered in a cookie), else the `lang`
/// cookie, else `Accept-Language`, else Russian.
struct LanguageChoice: Sendable {
    let language: UILanguage
    /// Whether `?lang=` chose it, so the response should set the cookie.
    let fromQuery: Bool

    init(_ request: Request) {
        if let raw = request.uri.queryParameters["lang"], let language = UILanguage(rawValue: String(raw)) {
            self.language = language
            self.fromQuery = true
            return
        }
        fromQuery = false
        if let cookie = request.cookies["lang"], let language = UILanguage(rawValue: cookie.value) {
            self.language = language
            return
        }
        language = UILanguage(acceptLanguage: request.headers[.acceptLanguage], fallback: .ru)
    }

    /// The `Set-Cookie` value that remembers a language chosen with `?lang=`.
    var cookieHeader: String? {
        fromQuery ? "lang=\(language.rawValue); Path=/; Max-Age=31536000; SameSite=Lax" : nil
    }

    /// The visible switch's labels: ru / қаз / en.
    static let labels: [(UILanguage, String)] = [(.ru, "ru"), (.kk, "қаз"), (.en, "en")]
}
