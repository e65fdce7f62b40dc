import Foundation
import Testing
import TyndauCore
import TyndauSQLite

/// `tyndau users` as a real child process: passwords from standard input, bcrypt in the database.
@Suite(.serialized) struct UsersCommandTests {
    /// Runs `tyndau ARGS` with `input` on standard input; returns exit code and stdout + stderr.
    func tyndau(_ arguments: [String], input: String = "") throws -> (Int32, String) {
        let process = Process()
        process.executableURL = TyndauProcess.executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["TYNDAU_LANG": "en"]) { $1 }
        let output = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func addsListsAndDisablesAccountsWithPasswordsFromStandardInput() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-users-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let db = ["--db", path]
        var (status, output) = try tyndau(["users", "add", "aigerim", "--role", "operator", "--password-stdin", "--bcrypt-cost", "4"] + db, input: "a long passphrase\n")
        #expect(status == 0, "\(output)")
        #expect(output.contains("User aigerim added (role operator)"))
        #expect(!output.contains("passphrase"))

        (status, output) = try tyndau(["users", "add", "AIGERIM", "--role", "admin", "--password-stdin", "--bcrypt-cost", "4"] + db, input: "another passphrase\n")
        #expect(status == 1)
        (status, output) = try tyndau(["users", "add", "boss", "--role", "king", "--password-stdin"] + db, input: "a long passphrase\n")
        #expect(status == 2)
        #expect(output.contains("Unknown role 'king'"))
        (status, output) = try tyndau(["users", "add", "boss", "--role", "admin", "--password-stdin", "--bcrypt-cost", "4"] + db, input: "short\n")
        #expect(status == 2)
        #expect(output.contains("at least 10 characters"))
        // Without a terminal and without --password-stdin, nothing is read from a pipe by surprise.
        (status, output) = try tyndau(["users", "add", "boss", "--role", "admin"] + db, input: "a long passphrase\n")
        #expect(status == 2)
        #expect(output.contains("--password-stdin"))

        (status, output) = try tyndau(["users", "password", "aigerim", "--password-stdin", "--bcrypt-cost", "4"] + db, input: "a newer passphrase\n")
        #expect(status == 0, "\(output)")
        #expect(output.contains("Password of aigerim changed"))
        (status, output) = try tyndau(["users", "disable", "aigerim"] + db)
        #expect(status == 0)
        (status, output) = try tyndau(["users", "list"] + db)
        #expect(output.contains("aigerim") && output.contains("operator") && output.contains("disabled"))

        let database = try SQLiteStore.open(path: path)
        let stored = try #require(try await database.officeUser(name: "aigerim"))
        #expect(stored.passwordHash.hasPrefix("$2b$04$"))
        #expect(stored.disabled)
        let events = try await database.auditEvents(AuditFilter(subject: "user:aigerim"), limit: 5)
        #expect(events.map(\.action) == ["user.disable", "user.password", "user.add"])
        #expect(events.allSatisfy { $0.actor.hasPrefix("cli:") })
    }
}
