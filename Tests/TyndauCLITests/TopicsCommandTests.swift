import Foundation
import Testing
import TyndauCore
import TyndauSQLite

@testable import TyndauCLI

@Suite struct TopicsCommandTests {
    static let questions = [
        "На ул. Терехина не горят фонари, вечером темно",
        "Терехин көшесінде көше жарығы жоқ, кешке қараңғы",
        "Terehin köşesındegı şamdardy jöndeudı sūraimyz",
        "Терехина вся в ямах, просим ямочный ремонт",
        "Терехин көшесінің жолы шұңқырға толы, жөндеуді сұраймыз",
        "В школе №45 холодно, не работает отопление",
        "В школе №54 холодно, не работает отопление",
    ]

    static func prepared() async throws -> (String, SQLiteStore) {
        let folder = try ImportCommandTests.folder()
        let file = folder.appendingPathComponent("questions.jsonl")
        let lines = questions.map { text -> String in
            let data = try! JSONSerialization.data(withJSONObject: ["text": text])
            return String(decoding: data, as: UTF8.self)
        }
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let db = folder.appendingPathComponent("t.sqlite").path
        #expect(await Tyndau.main(arguments: ["questions", "import", file.path, "--db", db]) == 0)
        #expect(await Tyndau.main(arguments: ["topics", "group", "--db", db]) == 0)
        return (db, try SQLiteStore.open(path: db))
    }

    static func topicOf(_ index: Int, _ database: SQLiteStore) async throws -> Topic.ID? {
        try await database.question(id: Question.ID(index + 1))?.topicID
    }

    @Test func groupsDuplicatesAndKeepsNumberTwinsApart() async throws {
        let (_, database) = try await Self.prepared()
        let topics = try await (0..<7).asyncMap { try await Self.topicOf($0, database) }
        #expect(topics[0] == topics[1] && topics[1] == topics[2])
        #expect(topics[3] == topics[4])
        #expect(topics[0] != topics[3])
        #expect(topics[5] != topics[6])
        #expect(try await database.countQuestions(status: .grouped) == 7)
    }

    @Test func officeSplitAndMergeSurviveARebuild() async throws {
        let (db, database) = try await Self.prepared()
        let lighting = try #require(try await Self.topicOf(0, database))
        let roads = try #require(try await Self.topicOf(3, database))
        #expect(
            await Tyndau.main(arguments: ["topics", "split", String(lighting), "--questions", "3", "--db", db]) == 0)
        let schools = (
            try #require(try await Self.topicOf(5, database)), try #require(try await Self.topicOf(6, database))
        )
        #expect(
            await Tyndau.main(arguments: ["topics", "merge", String(schools.0), String(schools.1), "--db", db]) == 0)
        #expect(await Tyndau.main(arguments: ["topics", "rename", String(roads), "Ямы на Терехина", "--db", db]) == 0)

        #expect(await Tyndau.main(arguments: ["topics", "group", "--rebuild", "--db", db]) == 0)
        let after = try await (0..<7).asyncMap { try await Self.topicOf($0, database) }
        #expect(after[0] == lighting && after[1] == lighting)
        #expect(after[2] != lighting)  // the split-off question stays apart
        #expect(after[5] == schools.0 && after[6] == schools.0)  // the merge holds
        #expect(try await database.topicOverview(id: roads)?.summary.topic.title == "Ямы на Терехина")
    }

    @Test func rejectsBadTopicNumbersAsUsageErrors() async throws {
        let (db, _) = try await Self.prepared()
        #expect(await Tyndau.main(arguments: ["topics", "merge", "x", "1", "--db", db]) == 2)
        #expect(await Tyndau.main(arguments: ["topics", "merge", "998", "999", "--db", db]) == 1)
    }

    @Test func topicsTextsExistInAllThreeLanguages() {
        let table = LocalizationTable(resource: "cli-topics", bundle: .module)
        #expect(table.incompleteKeys.isEmpty)
        #expect(table.contains("topics.headline"))
    }
}

extension Sequence {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
