import Foundation
import Testing
import TyndauCore
import TyndauPostgres
import TyndauSQLite

/// A fresh, empty store of one engine for one test, and how to throw it away afterwards.
struct OpenedStore: Sendable {
    let store: any TyndauStore
    let close: @Sendable () async throws -> Void
}

/// One storage engine the contract runs against. Every contract test takes a factory as its
/// argument (`@Test(arguments: StoreFactory.all)`) and talks to the store only through the Core
/// protocols, so an engine passes exactly when it behaves like the others.
struct StoreFactory: Sendable, CustomTestStringConvertible {
    let engine: String
    let open: @Sendable () async throws -> OpenedStore

    var testDescription: String { engine }

    /// Runs `body` on a fresh store and disposes of the store whatever happens.
    @discardableResult
    func withStore<T: Sendable>(_ body: (any TyndauStore) async throws -> T) async throws -> T {
        let opened = try await open()
        do {
            let result = try await body(opened.store)
            try await opened.close()
            return result
        } catch {
            try? await opened.close()
            throw error
        }
    }

    /// Every engine this build can test. PostgreSQL joins when `TYNDAU_TEST_POSTGRES_URL` is set
    /// (`make test` starts a throwaway server and sets it).
    static var all: [StoreFactory] {
        var factories = [sqlite]
        if let url = ProcessInfo.processInfo.environment["TYNDAU_TEST_POSTGRES_URL"], !url.isEmpty {
            factories += postgres(serverURL: url)
        }
        return factories
    }

    /// SQLite: a new file in its own temporary folder (WAL and all), opened the way the server opens it.
    static let sqlite = StoreFactory(engine: "sqlite") {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = try SQLiteStore.open(path: folder.appendingPathComponent("tyndau.sqlite").path)
        return OpenedStore(store: database) {
            try? FileManager.default.removeItem(at: folder)
        }
    }

    // ┌──────────────────────────────────────────────────────────────────────────────────────────┐
    // │ PostgreSQL: THE place to add the factory once the TyndauPostgres module lands.           │
    // │ Add "TyndauPostgres" to this target's dependencies in Package.swift, import it, and       │
    // │ return the factory below. `PostgresScratchDatabase` already gives each test its own fresh │
    // │ database on the server and drops it afterwards:                                           │
    // │                                                                                           │
    // │   [StoreFactory(engine: "postgres") {                                                     │
    // │       let scratch = try await PostgresScratchDatabase.create(serverURL: serverURL)        │
    // │       let store = try await PostgresStore.open(url: scratch.url)                       │
    // │       return OpenedStore(store: store) {                                                  │
    // │           await store.close()                                                             │
    // │           try await scratch.drop()                                                        │
    // │       }                                                                                   │
    // │   }]                                                                                      │
    // └──────────────────────────────────────────────────────────────────────────────────────────┘
    static func postgres(serverURL: String) -> [StoreFactory] {
        [StoreFactory(engine: "postgres") {
            let scratch = try await PostgresScratchDatabase.create(serverURL: serverURL)
            let store = try await PostgresStore.open(url: scratch.url)
            return OpenedStore(store: store) {
                await store.close()
                try await scratch.drop()
            }
        }]
    }
}

/// Whether `make test` demands PostgreSQL (`TYNDAU_REQUIRE_POSTGRES=1`): then a missing or unreachable
/// server fails the run instead of silently testing SQLite alone.
enum PostgresRequirement {
    static var required: Bool { ProcessInfo.processInfo.environment["TYNDAU_REQUIRE_POSTGRES"] == "1" }
    static var serverURL: String? {
        ProcessInfo.processInfo.environment["TYNDAU_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// A database of its own on the test PostgreSQL server, for one test: created from the server URL
/// (`…/postgres`) with `psql`, dropped (connections and all) afterwards.
struct PostgresScratchDatabase: Sendable {
    let name: String
    let url: String
    let serverURL: String

    static func create(serverURL: String) async throws -> PostgresScratchDatabase {
        guard var components = URLComponents(string: serverURL) else {
            throw ScratchError.badURL(serverURL)
        }
        let name = "tyndau_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        components.path = "/" + name
        guard let url = components.string else { throw ScratchError.badURL(serverURL) }
        _ = try await psql(serverURL, "CREATE DATABASE \(name)")
        return PostgresScratchDatabase(name: name, url: url, serverURL: serverURL)
    }

    func drop() async throws {
        _ = try await Self.psql(serverURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// One statement through `psql` (unaligned, tuples only); returns its output.
    @discardableResult
    static func psql(_ url: String, _ sql: String) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: psqlPath)
        process.arguments = [url, "-v", "ON_ERROR_STOP=1", "-X", "-A", "-t", "-q", "-c", sql]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw ScratchError.psql(message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Debian's PostgreSQL 15 client, else `$PG_BIN/psql`, else whatever `psql` is on the path.
    static var psqlPath: String {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [environment["PG_BIN"].map { $0 + "/psql" }, "/usr/lib/postgresql/15/bin/psql"]
            + (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/psql" }
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "psql"
    }

    enum ScratchError: Error, CustomStringConvertible {
        case badURL(String)
        case psql(String)

        var description: String {
            switch self {
            case .badURL(let url): "not a PostgreSQL URL: \(url)"
            case .psql(let message): "psql: \(message)"
            }
        }
    }
}

/// Fixed moments (whole seconds, so every engine stores them exactly) and sample data.
enum Fixture {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func question(
        _ text: String = "Когда починят фонари на улице Саина?", channel: Channel = .cli, at date: Date = now,
        street: String? = nil, category: QuestionCategory? = nil
    ) -> Question {
        Question(text: text, language: .ru, category: category, street: street, channel: channel, submittedAt: date)
    }

    static func newQuestion(
        _ text: String = "Когда починят фонари на улице Саина?", phone: String? = "+77011234567", sourceKey: String? = nil,
        channel: Channel = .cli, at date: Date = now
    ) -> NewQuestion {
        NewQuestion(
            question: question(text, channel: channel, at: date),
            contact: phone.map { AskerContact(name: "Айгуль", phone: $0, consent: true) },
            sourceKey: sourceKey)
    }
}
