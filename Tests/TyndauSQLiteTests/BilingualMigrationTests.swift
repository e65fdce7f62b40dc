import Foundation
import GRDB
import Testing
import TyndauCore

@testable import TyndauSQLite

/// `bilingual-v1` on a database written before answers had two texts: each single text lands in
/// the Kazakh column when it has a letter only Kazakh uses, in the Russian one otherwise.
@Suite struct BilingualMigrationTests {
    @Test func anEarlierSingleTextIsFiledUnderItsLanguage() throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(configuration: configuration)
        try SQLiteStore.migrator.migrate(queue, upTo: "commitment-note-v1")
        try queue.write { db in
            for (id, text) in [(1, "Шамдар көшеде ауыстырылады"), (2, "Фонари заменят")] {
                try db.execute(
                    sql: """
                        INSERT INTO answer (id, agendaItemID, text, kind, recordedBy, recordedAt, isFinal)
                        VALUES (?, ?, ?, 'commitment', 'office', '2026-12-03 10:00:00.000', 1)
                        """,
                    arguments: [id, id, text])
                try db.execute(
                    sql: """
                        INSERT INTO commitment (answerID, topicID, text, responsible, dueDate, state)
                        VALUES (?, ?, ?, ?, '2026-12-20', 'open')
                        """,
                    arguments: [id, id, text, id == 1 ? "ТКШ бөлімі" : "Отдел ЖКХ"])
            }
        }
        try SQLiteStore.migrator.migrate(queue)
        try queue.read { db in
            let answers = try Answer.order(Column("id")).fetchAll(db)
            #expect(answers.map(\.texts) == [BilingualText(kk: "Шамдар көшеде ауыстырылады"), BilingualText(ru: "Фонари заменят")])
            let commitments = try Commitment.order(Column("answerID")).fetchAll(db)
            #expect(commitments.map(\.responsibleTexts) == [BilingualText(kk: "ТКШ бөлімі"), BilingualText(ru: "Отдел ЖКХ")])
            #expect(commitments.map(\.texts.kk) == ["Шамдар көшеде ауыстырылады", nil])
        }
    }
}
