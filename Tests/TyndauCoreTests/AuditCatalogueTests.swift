import Foundation
import Testing
import TyndauCore

/// The audit lines are worded once (``AuditEvent``'s catalogue, ``TopicDecision/auditEvent``) and read by
/// people and by `tyndau audit` filters: their action, subject and details keep this shape.
@Suite struct AuditCatalogueTests {
    let now = Date(timeIntervalSince1970: 1_796_000_000)

    @Test func aStatusChangeNamesBothStatesAndTheReason() {
        let event = AuditEvent.statusChanged(questionID: 7, from: .grouped, to: .rejected, reason: "spam", actor: "office:aru", at: now)
        #expect(event.action == "question.status")
        #expect(event.subject == "question:7")
        #expect(event.details == "grouped → rejected: spam")
        #expect(AuditEvent.statusChanged(questionID: 7, from: .received, to: .acknowledged, reason: nil, actor: "intake", at: now)
            .details == "received → acknowledged")
    }

    @Test func aTopicDecisionListsTheOtherTopicTheQuestionsAndTheValue() {
        let merge = TopicDecision(at: now, actor: "cli", kind: .merge, topicID: 3, otherTopicID: 9, questionIDs: [4, 5])
        #expect(merge.auditEvent.action == "topic.merge")
        #expect(merge.auditEvent.subject == "topic:3")
        #expect(merge.auditEvent.details == "other topic 9; questions 4,5")
        let rename = TopicDecision(
            at: now, actor: "cli", kind: .rename, topicID: 3, value: TopicEdits.titlesDecisionValue(BilingualText(kk: "Жарық", ru: nil)))
        #expect(rename.auditEvent.details == "kk: Жарық / ru: —")
    }

    @Test func anAgendaAdjustmentSaysOnlyWhatChanged() {
        let week = ISOWeek(year: 2026, week: 49)!
        #expect(AuditEvent.agendaAdjusted(week: week, topicID: 12, minutes: 8, move: 0, actor: "office:aru", at: now).details == "topic 12; 8 min")
        #expect(AuditEvent.agendaAdjusted(week: week, topicID: 12, minutes: nil, move: -1, actor: "office:aru", at: now).details == "topic 12; move -1")
    }

    @Test func aSplitTitlesTheNewTopicAfterItsFirstQuestionShortenedLikeAGroupingRun() {
        let original = Topic(title: "Освещение", createdAt: now)
        let long = String(repeating: "а", count: 300)
        let created = TopicEdits.splitOff(from: original, leaving: [5, 6], firstText: long, now: now)
        #expect(created.title.count == Topic.derivedTitleLength)
        #expect(created.title.hasSuffix("…"))
        #expect(created.representativeQuestionID == 5)
        #expect(TopicEdits.splitOff(from: original, leaving: [5], firstText: nil, now: now).title == "Освещение")
    }

    @Test func aResponsibleBodyIsTrimmedAndBlankMeansNone() {
        #expect(Topic.cleanedResponsible("  ГУ ЖКХ \n") == "ГУ ЖКХ")
        #expect(Topic.cleanedResponsible("   ") == nil)
        #expect(Topic.cleanedResponsible(nil) == nil)
    }
}
