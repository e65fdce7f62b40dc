import Foundation
import Testing
import TyndauCore

/// `OfficeConsoleStore`: a topic's responsible department, adjusting one agenda item before the
/// meeting, and the audit page's filters (prefixes matched literally, newest first, limited).
@Suite struct OfficeConsoleStoreContractTests {
    typealias Agenda = AgendaStoreContractTests

    @Test(arguments: StoreFactory.all)
    func theResponsibleDepartmentIsSetClearedAndAudited(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let (_, topics) = try await Agenda.seeded(store)
            try await store.setTopicResponsible(topics[0], responsible: "  ЖКХ района  ", actor: "office:aigerim", now: Agenda.before)
            #expect(try await store.agendaTopic(id: topics[0])?.responsible == "ЖКХ района")
            #expect(try await store.agendaTopic(id: topics[1])?.responsible == nil)
            try await store.setTopicResponsible(topics[0], responsible: "   ", actor: "office:aigerim", now: Agenda.before)
            #expect(try await store.agendaTopic(id: topics[0])?.responsible == nil)
            try await store.setTopicResponsible(topics[0], responsible: "Акимат", actor: "office:aigerim", now: Agenda.before)
            try await store.setTopicResponsible(topics[0], responsible: nil, actor: "office:bolat", now: Agenda.before)
            #expect(try await store.agendaTopic(id: topics[0])?.responsible == nil)
            let events = try await store.auditEvents(AuditFilter(actionPrefix: "topic.responsible", subject: "topic:\(topics[0])"), limit: 10)
            #expect(events.map(\.details) == ["—", "Акимат", "—", "ЖКХ района"])
            #expect(events.map(\.actor) == ["office:bolat", "office:aigerim", "office:aigerim", "office:aigerim"])
            await #expect(throws: TyndauError.notFound("topic 9999")) {
                try await store.setTopicResponsible(9999, responsible: "ЖКХ", actor: "office", now: Agenda.before)
            }
        }
    }

    /// Three items: two in the utilities block, then one in social infrastructure.
    static func plannedAgenda(_ store: any TyndauStore) async throws -> [AgendaItem] {
        let (_, topics) = try await Agenda.seeded(store)
        var record = Agenda.record(items: topics)
        record.items[2].block = .socialInfrastructure
        try await store.saveAgenda(record, actor: "test", now: Agenda.before)
        return try await store.agendaItems(week: Agenda.week)
    }

    @Test(arguments: StoreFactory.all)
    func changingMinutesMovesTheStartOfEveryLaterItem(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let items = try await Self.plannedAgenda(store)
            #expect(items.map(\.startOffsetMinutes) == [5, 9, 13])
            try await store.adjustAgendaItem(week: Agenda.week, itemID: items[0].id!, minutes: 10, move: 0, actor: "office:aigerim", now: Agenda.before)
            let adjusted = try await store.agendaItems(week: Agenda.week)
            #expect(adjusted.map(\.id) == items.map(\.id))
            #expect(adjusted.map(\.minutes) == [10, 4, 4])
            #expect(adjusted.map(\.startOffsetMinutes) == [5, 15, 19])
            #expect(adjusted.map(\.position) == [1, 2, 3])
            let event = try #require(try await store.auditEvents(AuditFilter(actionPrefix: "agenda.adjust"), limit: 5).first)
            #expect(event.actor == "office:aigerim" && event.subject == "meeting:\(Agenda.week)")
            #expect(event.details == "topic \(items[0].topicID); 10 min")
        }
    }

    @Test(arguments: StoreFactory.all)
    func anItemMovesOnlyWithinItsBlock(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let items = try await Self.plannedAgenda(store)
            let ids = items.map(\.id)
            // Later by one: swaps with its block neighbour, start offsets follow.
            try await store.adjustAgendaItem(week: Agenda.week, itemID: items[0].id!, minutes: 6, move: 1, actor: "office", now: Agenda.before)
            var now = try await store.agendaItems(week: Agenda.week)
            #expect(now.map(\.id) == [ids[1], ids[0], ids[2]])
            #expect(now.map(\.position) == [1, 2, 3] && now.map(\.startOffsetMinutes) == [5, 9, 15])
            // Further than the block reaches: stays last of its block, never crosses into the next block.
            try await store.adjustAgendaItem(week: Agenda.week, itemID: items[1].id!, minutes: nil, move: 5, actor: "office", now: Agenda.before)
            now = try await store.agendaItems(week: Agenda.week)
            #expect(now.map(\.id) == [ids[0], ids[1], ids[2]])
            #expect(now.map(\.startOffsetMinutes) == [5, 11, 15] && now.map(\.minutes) == [6, 4, 4])
            // The only item of its block cannot move earlier out of it.
            try await store.adjustAgendaItem(week: Agenda.week, itemID: items[2].id!, minutes: nil, move: -2, actor: "office", now: Agenda.before)
            #expect(try await store.agendaItems(week: Agenda.week).map(\.id) == [ids[0], ids[1], ids[2]])
            let details = try await store.auditEvents(AuditFilter(actionPrefix: "agenda.adjust"), limit: 5).map(\.details)
            #expect(details == [
                "topic \(items[2].topicID); move -2", "topic \(items[1].topicID); move 5", "topic \(items[0].topicID); 6 min; move 1",
            ])
        }
    }

    @Test(arguments: StoreFactory.all)
    func aStartedMeetingsAgendaCannotBeAdjusted(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let items = try await Self.plannedAgenda(store)
            await #expect(throws: TyndauError.agendaFrozen(Agenda.week)) {
                try await store.adjustAgendaItem(week: Agenda.week, itemID: items[0].id!, minutes: 9, move: 0, actor: "office", now: Agenda.start)
            }
            #expect(try await store.agendaItems(week: Agenda.week) == items)
            await #expect(throws: TyndauError.notFound("agenda item 9999")) {
                try await store.adjustAgendaItem(week: Agenda.week, itemID: 9999, minutes: 9, move: 0, actor: "office", now: Agenda.before)
            }
            let otherWeek = ISOWeek("2026-W50")!
            await #expect(throws: TyndauError.notFound("meeting \(otherWeek)")) {
                try await store.adjustAgendaItem(week: otherWeek, itemID: items[0].id!, minutes: 9, move: 0, actor: "office", now: Agenda.before)
            }
            #expect(try await store.auditEvents(AuditFilter(actionPrefix: "agenda.adjust"), limit: 5).isEmpty)
        }
    }

    @Test(arguments: StoreFactory.all)
    func theAuditPageFiltersByActorSubjectAndLiteralActionPrefix(_ factory: StoreFactory) async throws {
        try await factory.withStore { store in
            let events: [(actor: String, action: String, subject: String)] = [
                ("office:aigerim", "topic.rename", "topic:1"),
                ("office:bolat", "topic.merge", "topic:2"),
                ("office:aigerim", "topic.responsible", "topic:2"),
                ("office:aigerim", "user.add", "user:bolat"),
                ("office:aigerim", "odd%.x", "topic:3"),
                ("office:aigerim", "oddAB.x", "topic:3"),
                ("office:aigerim", "odd_.y", "topic:3"),
                ("office:aigerim", "odd*z", "topic:3"),
                ("office:aigerim", "odd?q", "topic:3"),
                ("office:aigerim", "odd[a]", "topic:3"),
                ("office:aigerim", "odda", "topic:3"),
                ("office:aigerim", "ODD%.x", "topic:3"),
            ]
            for (offset, event) in events.enumerated() {
                try await store.record(AuditEvent(
                    at: Fixture.now.addingTimeInterval(Double(offset)), actor: event.actor, action: event.action,
                    subject: event.subject, details: "#\(offset)"))
            }
            func actions(_ filter: AuditFilter, limit: Int = 100) async throws -> [String] {
                try await store.auditEvents(filter, limit: limit).map(\.action)
            }
            #expect(try await actions(AuditFilter()).count == events.count)
            #expect(try await actions(AuditFilter(), limit: 2) == ["ODD%.x", "odda"])
            #expect(try await actions(AuditFilter(), limit: 0).isEmpty)
            #expect(try await actions(AuditFilter(), limit: -1).isEmpty)
            #expect(try await actions(AuditFilter(actor: "office:bolat")) == ["topic.merge"])
            #expect(try await actions(AuditFilter(actor: "office")).isEmpty)
            #expect(try await actions(AuditFilter(subject: "topic:2")) == ["topic.responsible", "topic.merge"])
            #expect(try await actions(AuditFilter(actionPrefix: "topic.")) == ["topic.responsible", "topic.merge", "topic.rename"])
            #expect(try await actions(AuditFilter(actionPrefix: "topic."), limit: 1) == ["topic.responsible"])
            #expect(try await actions(AuditFilter(actor: "office:aigerim", actionPrefix: "topic.", subject: "topic:2")) == ["topic.responsible"])
            #expect(try await actions(AuditFilter(actionPrefix: "")).count == events.count)
            // Wildcards of LIKE, GLOB and regular expressions are ordinary characters here; case counts.
            #expect(try await actions(AuditFilter(actionPrefix: "odd%")) == ["odd%.x"])
            #expect(try await actions(AuditFilter(actionPrefix: "odd_")) == ["odd_.y"])
            #expect(try await actions(AuditFilter(actionPrefix: "odd*")) == ["odd*z"])
            #expect(try await actions(AuditFilter(actionPrefix: "odd?")) == ["odd?q"])
            #expect(try await actions(AuditFilter(actionPrefix: "odd[a")) == ["odd[a]"])
            #expect(try await actions(AuditFilter(actionPrefix: "odd[a]")) == ["odd[a]"])
            #expect(try await actions(AuditFilter(actionPrefix: "odd.")).isEmpty)
            #expect(try await actions(AuditFilter(actionPrefix: "ODD")) == ["ODD%.x"])
            let newest = try #require(try await store.auditEvents(AuditFilter(subject: "topic:3"), limit: 1).first)
            #expect(newest.details == "#11" && newest.at == Fixture.now.addingTimeInterval(11) && newest.actor == "office:aigerim")
        }
    }
}
