import Testing
import TyndauCore

/// ``TopicJoin``: who may join which topic, and that a resident is counted once — the rule both engines
/// call, so it is pinned here for every state and status.
@Suite struct TopicJoinRuleTests {
    static func facts(
        _ state: TopicState?, _ status: QuestionStatus = .acknowledged, in topic: Topic.ID? = nil, counted: Bool = false
    ) -> TopicJoinFacts {
        TopicJoinFacts(topicState: state, questionStatus: status, questionTopicID: topic, askerAlreadyCounted: counted)
    }

    @Test(arguments: [TopicState.open, .scheduled])
    func anUntriagedQuestionJoinsAnUnansweredTopic(_ state: TopicState) throws {
        #expect(try TopicJoin.decide(Self.facts(state), topicID: 7) == .join)
        #expect(try TopicJoin.decide(Self.facts(state, .received, in: 3), topicID: 7) == .join)
    }

    @Test(arguments: [TopicState.answered, .written, .closed])
    func answeredTopicsCannotBeJoined(_ state: TopicState) {
        #expect(throws: TyndauError.joinTopicClosed) { try TopicJoin.decide(Self.facts(state), topicID: 7) }
    }

    @Test func aMissingTopicCannotBeJoined() {
        #expect(throws: TyndauError.joinTopicClosed) { try TopicJoin.decide(Self.facts(nil), topicID: 7) }
    }

    @Test func aResidentIsCountedOnce() throws {
        #expect(try TopicJoin.decide(Self.facts(.open, in: 7), topicID: 7) == .alreadyCounted)
        #expect(try TopicJoin.decide(Self.facts(.open, counted: true), topicID: 7) == .alreadyCounted)
        // Already in the topic counts even after triage: the answer is "counted", not a refusal.
        #expect(try TopicJoin.decide(Self.facts(.open, .grouped, in: 7), topicID: 7) == .alreadyCounted)
    }

    @Test(arguments: [QuestionStatus.grouped, .scheduled, .rejected, .redirected, .answeredInWriting, .answered])
    func theOfficesTriageStands(_ status: QuestionStatus) {
        #expect(throws: TyndauError.joinQuestionTriaged) { try TopicJoin.decide(Self.facts(.open, status, in: 3), topicID: 7) }
    }

    @Test func refusalsSpeakTheResidentsLanguages() {
        for language in UILanguage.allCases {
            #expect(TyndauError.joinTopicClosed.localizedMessage(in: language) != "error.join.topic-closed")
            #expect(TyndauError.joinQuestionTriaged.localizedMessage(in: language) != "error.join.question-triaged")
        }
    }
}
