import Foundation

/// Which side of a keyset position a page lies on: the rows right `after` it in the list's order
/// (the "next" page) or right `before` it (the "previous" page). Either way a page comes back in the
/// list's own order.
public enum PageSide: String, Sendable, Hashable {
    case after
    case before
}

/// One page of the inbox: questions in (submitted, id) order, filtered, after or before a position.
public struct QuestionPageQuery: Sendable, Hashable {
    public var statuses: Set<QuestionStatus>
    /// `nil`: every language.
    public var languages: Set<TextLanguage>?
    /// `nil`: every category. A question without a category counts as ``QuestionCategory/other``.
    public var categories: Set<QuestionCategory>?
    /// The question the page starts from (exclusive), on `side`; `nil` is the first page. A question
    /// that is not stored gives an empty page.
    public var position: Question.ID?
    public var side: PageSide
    public var limit: Int

    public init(
        statuses: Set<QuestionStatus>, languages: Set<TextLanguage>? = nil, categories: Set<QuestionCategory>? = nil,
        position: Question.ID? = nil, side: PageSide = .after, limit: Int
    ) {
        self.statuses = statuses
        self.languages = languages
        self.categories = categories
        self.position = position
        self.side = side
        self.limit = limit
    }
}

/// The bounded reads behind the office console's long lists (inbox, topics): keyset pages, so that
/// a page costs the same on the first day and after a year of questions. Each engine implements
/// them with an index-backed query; the contract tests pin the order and the page edges.
public protocol ConsolePageStore: Sendable {
    /// At most `query.limit` questions, in (submittedAt, id) order, strictly after (or before)
    /// `query.position`.
    func questionPage(_ query: QuestionPageQuery) async throws -> [Question]

    /// At most `limit` topics in `states` (`nil`: all), in the largest-first order of
    /// ``TopicStore/topicOverviews(states:)`` (most distinct askers, most questions, lower id), strictly
    /// after (or before) topic `position` as it ranks now; `nil` is the first page, a topic that is
    /// not stored gives an empty page.
    func topicPage(states: Set<TopicState>?, position: Topic.ID?, side: PageSide, limit: Int) async throws -> [TopicOverview]

    /// The overviews of these topics (missing ids are left out), largest first.
    func topicOverviews(ids: [Topic.ID]) async throws -> [TopicOverview]

    /// The stored questions with these ids (missing ids are left out), in id order.
    func questions(ids: [Question.ID]) async throws -> [Question]

    /// How many topics are in `states` (`nil`: all).
    func countTopics(states: Set<TopicState>?) async throws -> Int
}
