import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
import TyndauCore
import TyndauServer
import TyndauSQLite

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(_ seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    var closure: @Sendable () -> Date { { self.now } }
}

/// A fresh SQLite file in the temporary directory, removed by `remove()`.
struct TemporaryDatabase {
    let path: String
    let database: SQLiteStore

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-server-\(UUID().uuidString).sqlite").path
        database = try SQLiteStore.open(path: path)
    }

    func remove() {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

enum TestServer {
    static var quietLogger: Logger {
        var logger = Logger(label: "tyndau-test")
        logger.logLevel = .critical
        return logger
    }

    static func settings(rateLimit: Int = 0, maxBody: Int = 32 * 1024, trustForwardedFor: Bool = true) -> ServerSettings {
        ServerSettings(
            host: "127.0.0.1", port: 0, publicURL: nil,
            intake: IntakeSettings(rateLimitPerHour: rateLimit, maxBodyBytes: maxBody, trustForwardedFor: trustForwardedFor)
        )
    }

    static func application(
        _ database: SQLiteStore,
        settings: ServerSettings = settings(),
        clock: ManualClock = ManualClock()
    ) throws -> some ApplicationProtocol {
        try buildApplication(settings, database: database, logger: quietLogger, requestLogLevel: .trace, now: clock.closure)
    }
}

extension HTTPFields {
    static func json(language: String = "ru", client: String = "10.0.0.1") -> HTTPFields {
        [.contentType: "application/json", .acceptLanguage: language, .init("X-Forwarded-For")!: client]
    }

    static func form(language: String = "ru", client: String = "10.0.0.1") -> HTTPFields {
        [.contentType: "application/x-www-form-urlencoded", .acceptLanguage: language, .init("X-Forwarded-For")!: client]
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as a JSON object (or `[:]`).
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    var array: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] ?? []
    }

    /// `error` of our error shape.
    var apiError: [String: Any] { object["error"] as? [String: Any] ?? [:] }
    var errorFields: [String: String] { apiError["fields"] as? [String: String] ?? [:] }
}

/// `{"text": …}` and other fields as a JSON body.
func jsonBody(_ fields: [String: Any]) -> ByteBuffer {
    ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: fields))
}

/// Fields as an urlencoded form body.
func formBody(_ fields: [(String, String)]) -> ByteBuffer {
    let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    let encoded = fields.map { name, value in
        name + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
    }.joined(separator: "&")
    return ByteBuffer(string: encoded)
}
