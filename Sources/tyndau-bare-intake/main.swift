import Foundation
import GRDB
import Hummingbird

// The bare baseline of `bench/intake.sh`: Hummingbird and GRDB and nothing else — the same JSON body
// decoded, one INSERT in its own transaction per request on a WAL file with `synchronous = FULL`, and
// a 201 after the commit. `tyndau serve`'s intake is measured against it in the same run, so the
// figure is a ratio that does not depend on how busy or fast the machine is that day.
//
// Usage: tyndau-bare-intake DATABASE-PATH PORT

struct Body: Decodable {
    var text: String
    var street: String?
    var house: String?
    var category: String?
}

struct Created: ResponseEncodable {
    var id: Int64
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let port = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: tyndau-bare-intake DATABASE-PATH PORT\n".utf8))
    exit(64)
}
var configuration = Configuration()
configuration.busyMode = .timeout(10)
configuration.prepareDatabase { db in
    try db.execute(sql: "PRAGMA synchronous = FULL")
}
let pool = try DatabasePool(path: arguments[1], configuration: configuration)
try await pool.write { db in
    try db.execute(sql: """
        CREATE TABLE IF NOT EXISTS question (
          id INTEGER PRIMARY KEY, text TEXT NOT NULL, street TEXT, house TEXT, category TEXT, submittedAt DATETIME NOT NULL)
        """)
}

let router = Router()
router.get("health") { _, _ in "ok" }
router.post("api/v1/questions") { request, context -> EditedResponse<Created> in
    let body = try await request.decode(as: Body.self, context: context)
    let id = try await pool.write { db in
        // The row is stamped by SQLite's clock, in GRDB's date format: the baseline reads no wall clock
        // of its own and still stores a time per row as the real intake does.
        try db.execute(
            sql: """
                INSERT INTO question (text, street, house, category, submittedAt)
                VALUES (?, ?, ?, ?, strftime('%Y-%m-%d %H:%M:%f', 'now'))
                """,
            arguments: [body.text, body.street, body.house, body.category])
        return db.lastInsertedRowID
    }
    return EditedResponse(status: .created, response: Created(id: id))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
