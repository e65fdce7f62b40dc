import Foundation
import Hummingbird
import TyndauCore

/// `GET /api/v1/openapi.yaml`: the OpenAPI 3.1 description of `/api/v1`, the probes and Open311, as
/// shipped in the resource `openapi.yaml` (the only copy; `make test` checks the live server against
/// it with schemathesis, and a test checks that every route of the router is in it).
struct APIDocumentController: Sendable {
    static let path = "/api/v1/openapi.yaml"
    /// RFC 9512's media type for YAML (always UTF-8, so no charset parameter).
    static let contentType = "application/yaml"

    let document: ByteBuffer

    init() throws {
        document = ByteBuffer(bytes: try Data(contentsOf: try Self.url()))
    }

    /// Where the document is in the module's resources.
    static func url() throws -> URL {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw TyndauError.notFound("openapi.yaml")
        }
        return url
    }

    func addRoutes(to router: Router<TyndauRequestContext>) {
        router.get(RouterPath(Self.path)) { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: Self.contentType, .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: document)
            )
        }
    }
}
