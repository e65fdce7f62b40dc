import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TyndauCore
import TyndauSQLite
import Yams

@testable import TyndauServer

/// The served OpenAPI document parses, is internally consistent, and describes exactly the routes the
/// router has under `/api/v1`, `/open311` and the probes — so the contract cannot drift from the code
/// silently. (schemathesis, in `make test`, checks the answers of a live server against it.)
@Suite("OpenAPI document /api/v1/openapi.yaml")
struct OpenAPIDocumentTests {
    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    /// The document as the server serves it, parsed.
    func servedDocument() async throws -> [String: Any] {
        let app = try TestServer.application(try SQLiteStore.inMemory())
        let text = try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/openapi.yaml", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/yaml")
            return response.text
        }
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    /// `METHOD path` of every operation in the document.
    func operations(_ document: [String: Any]) throws -> Set<String> {
        let paths = try #require(document["paths"] as? [String: Any])
        var operations: Set<String> = []
        for (path, item) in paths {
            let item = try #require(item as? [String: Any], "path item \(path)")
            for method in item.keys where Self.methods.contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }

    /// `METHOD path` of every route the server's router has, in OpenAPI's template syntax (Hummingbird
    /// writes captures as `{name}`, `{code}.json` included), with the office API on.
    func routes() throws -> Set<String> {
        var settings = TestServer.settings()
        settings.officeToken = String(repeating: "t", count: 32)
        let router = try buildRouter(settings, store: try SQLiteStore.inMemory(), logger: TestServer.quietLogger, now: { Date() })
        return Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
    }

    @Test func servedDocumentIsOpenAPI31() async throws {
        let document = try await servedDocument()
        #expect((document["openapi"] as? String)?.hasPrefix("3.1.") == true)
        let info = try #require(document["info"] as? [String: Any])
        #expect(info["version"] as? String == TyndauBuild.version)
        #expect(try operations(document).count >= 20)
    }

    @Test func everyAPIAndOpen311RouteIsDescribed() async throws {
        let described = try operations(try await servedDocument())
        let served = try routes().filter { route in
            let path = route.split(separator: " ", maxSplits: 1)[1]
            return path.hasPrefix("/api/") || path.hasPrefix("/open311/")
        }
        #expect(served.count >= 19)
        let undescribed = served.subtracting(described).sorted()
        #expect(undescribed.isEmpty, "routes missing from openapi.yaml: \(undescribed)")
    }

    @Test func everyDescribedOperationIsARoute() async throws {
        let described = try operations(try await servedDocument())
        let phantom = described.subtracting(try routes()).sorted()
        #expect(phantom.isEmpty, "operations in openapi.yaml that the router does not have: \(phantom)")
    }

    @Test func everyOperationHasAnIdAndResponsesAndEveryReferenceResolves() async throws {
        let document = try await servedDocument()
        let paths = try #require(document["paths"] as? [String: Any])
        var ids: [String] = []
        for (path, item) in paths {
            for (method, operation) in try #require(item as? [String: Any]) where Self.methods.contains(method) {
                let operation = try #require(operation as? [String: Any])
                let id = try #require(operation["operationId"] as? String, "\(method) \(path) has no operationId")
                ids.append(id)
                let responses = try #require(operation["responses"] as? [String: Any])
                #expect(!responses.isEmpty, "\(method) \(path) has no responses")
            }
        }
        #expect(Set(ids).count == ids.count, "operation ids are unique")

        var references: Set<String> = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                if let reference = object["$ref"] as? String { references.insert(reference) }
                object.values.forEach(collect)
            } else if let list = value as? [Any] {
                list.forEach(collect)
            }
        }
        collect(document)
        #expect(!references.isEmpty)
        for reference in references {
            #expect(reference.hasPrefix("#/"), "only local references: \(reference)")
            var node: Any? = document
            for part in reference.dropFirst(2).split(separator: "/") {
                node = (node as? [String: Any])?[String(part)]
            }
            #expect(node != nil, "unresolved reference \(reference)")
        }
    }

    /// Every error code the API's error shape maps to a status is documented as an answer somewhere.
    @Test func documentedErrorStatusesCoverTheErrorShape() async throws {
        let document = try await servedDocument()
        let paths = try #require(document["paths"] as? [String: Any])
        var statuses: Set<String> = []
        for item in paths.values {
            for (method, operation) in try #require(item as? [String: Any]) where Self.methods.contains(method) {
                statuses.formUnion(((operation as? [String: Any])?["responses"] as? [String: Any] ?? [:]).keys)
            }
        }
        let codes: [TyndauError.Code] = [
            .validation, .malformed, .badParameter, .tooLarge, .rateLimited, .notFound, .unsupportedMediaType,
            .conflict, .meetingClosed, .meetingNotStarted, .illegalTransition, .unauthorized, .databaseUnavailable,
            .internal,
        ]
        for code in codes {
            let status = APIErrorResponse.status(for: TyndauError(code: code, messageKey: "error.internal"))
            #expect(statuses.contains(String(status.code)), "\(code) → \(status.code) is never documented")
        }
    }
}

extension OpenAPIDocumentTests {
    /// The enumerations of the document are the code's own, so a new status, category, alias or
    /// language cannot be answered without being described.
    @Test func enumerationsAreTheCodes() async throws {
        let document = try await servedDocument()
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        func values(_ name: String) throws -> Set<String> {
            let schema = try #require(schemas[name] as? [String: Any], "schema \(name)")
            return Set(try #require(schema["enum"] as? [String], "enum of \(name)"))
        }
        let categories = Set(QuestionCategory.allCases.map(\.rawValue))
        #expect(try values("Category") == categories)
        #expect(try values("Open311ServiceCode") == categories.union(Open311Catalog.aliases.keys))
        #expect(try values("QuestionStatusValue") == Set(QuestionStatus.allCases.map(\.rawValue)))
        #expect(try values("AnswerKind") == Set(AnswerKind.allCases.map(\.rawValue)))
        #expect(try values("Language") == Set(UILanguage.allCases.map(\.rawValue)))
        #expect(try values("TextLanguage") == Set(TextLanguage.allCases.map(\.rawValue)))
    }
}

extension OpenAPIDocumentTests {
    /// schemathesis found it: a receipt's `language` is the language detected in the text (`unknown`
    /// for digits only), which the document first described as the interface language.
    @Test func receiptLanguageIsOneTheDocumentAllows() async throws {
        let document = try await servedDocument()
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        func allowed(_ schema: String) throws -> Set<String> {
            let properties = try #require((schemas[schema] as? [String: Any])?["properties"] as? [String: Any])
            let reference = try #require((properties["language"] as? [String: Any])?["$ref"] as? String)
            let target = try #require(schemas[String(reference.split(separator: "/").last!)] as? [String: Any])
            return Set(try #require(target["enum"] as? [String]))
        }
        let receiptLanguages = try allowed("QuestionReceipt")
        let statusLanguages = try allowed("QuestionStatus")
        let app = try TestServer.application(try SQLiteStore.inMemory())
        try await app.test(.router) { client in
            let created = try await client.execute(
                uri: "/api/v1/questions?lang=ru", method: .post, headers: .json(), body: jsonBody(["text": "0000000000"]))
            #expect(created.status == .created)
            let language = try #require(created.object["language"] as? String)
            #expect(language == "unknown")
            #expect(receiptLanguages.contains(language))
            let ticket = try #require(created.object["ticket"] as? String)
            let token = try #require(created.object["token"] as? String)
            let status = try await client.execute(uri: "/api/v1/questions/\(ticket)?token=\(token)", method: .get)
            #expect(statusLanguages.contains(try #require(status.object["language"] as? String)))
        }
    }
}
