import Foundation
import Hummingbird
import Mustache
import TyndauCore

/// Renders the resident pages from the Mustache templates shipped as resources.
///
/// Every value is inserted with `{{…}}`, which HTML-escapes it (`< > & " '`); the templates use no
/// triple mustaches, so nothing a resident typed reaches the page unescaped.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let texts: [UILanguage: [String: String]]
    let stylesheet: ByteBuffer
    /// The office console's optional script (live refresh, background save, shortcuts).
    let officeScript: ByteBuffer

    public init() throws {
        var templates: [String: MustacheTemplate] = [:]
        for name in ["head", "foot", "form", "receipt", "status", "withdrawn", "error"] + Self.publicTemplates + Self.officeTemplates {
            guard let url = Bundle.module.url(forResource: name, withExtension: "mustache") else {
                throw TyndauError.notFound("template \(name).mustache")
            }
            templates[name] = try MustacheTemplate(string: String(contentsOf: url, encoding: .utf8))
        }
        library = MustacheLibrary(templates: templates)
        texts = Dictionary(uniqueKeysWithValues: UILanguage.allCases.map { ($0, ServerText.pageTexts($0)) })
        guard let css = Bundle.module.url(forResource: "style", withExtension: "css") else {
            throw TyndauError.notFound("style.css")
        }
        stylesheet = ByteBuffer(bytes: try Data(contentsOf: css))
        guard let script = Bundle.module.url(forResource: "office", withExtension: "js") else {
            throw TyndauError.notFound("office.js")
        }
        officeScript = ByteBuffer(bytes: try Data(contentsOf: script))
    }

    /// The public record's pages (``PublicRecordController``).
    static let publicTemplates = [
        "public-meetings", "public-meeting", "public-promise-line", "public-promises", "public-live", "public-stats", "public-data",
    ]

    /// An HTML response from `template` with `values`, the page texts and the language switch.
    /// `path` is the page's own path and query (without `lang`), for the switch's links.
    func page(
        _ template: String,
        _ values: [String: Any],
        title: String,
        choice: LanguageChoice,
        path: String,
        status: HTTPResponse.Status = .ok,
        scripts: Bool = false
    ) -> Response {
        var context = values
        let language = choice.language
        context["lang"] = language.rawValue
        context["t"] = texts[language] ?? [:]
        context["title"] = title
        let separator = path.contains("?") ? "&" : "?"
        context["languages"] = LanguageChoice.labels.map { code, label -> [String: Any] in
            ["code": code.rawValue, "label": label, "current": code == language, "url": path + separator + "lang=" + code.rawValue]
        }
        let html = library.render(context, withTemplate: template) ?? ""
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .contentLanguage: language.rawValue,
            .cacheControl: "no-store",
            .init("X-Content-Type-Options")!: "nosniff",
            // Resident pages run no script at all; console pages may load /static/office.js, nothing inline.
            .init("Content-Security-Policy")!: "default-src 'self'; script-src \(scripts ? "'self'" : "'none'"); form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            .init("Referrer-Policy")!: "no-referrer",
        ]
        if let cookie = choice.cookieHeader { headers[.setCookie] = cookie }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The error page for `error` in the request's language.
    func errorPage(_ error: TyndauError, choice: LanguageChoice, path: String) -> Response {
        var response = page(
            "error",
            ["message": ServerText.message(error, choice.language)],
            title: ServerText.text("page.error.title", choice.language),
            choice: choice,
            path: path,
            status: APIErrorResponse.status(for: error)
        )
        if let retryAfter = error.retryAfterSeconds { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}
