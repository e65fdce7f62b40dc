import Foundation
import TyndauCore

/// One grouping run against the store: reads the questions open to grouping with the office's
/// pins, groups them, derives each topic's facts and writes the result back.
///
/// Incremental (the default): questions already in a topic stay there and only new questions are
/// attached to a topic or open one. Rebuild: every question not pinned by the office is regrouped
/// from scratch and refined; pinned questions and office topics are kept as the office left them.
public struct TopicGrouping: Sendable {
    public var lexicon: DomainLexicon
    public var threshold: Double

    public init(lexicon: DomainLexicon = .bundled, threshold: Double = PairScorer.defaultThreshold) {
        self.lexicon = lexicon
        self.threshold = threshold
    }

    /// What a run did.
    public struct Report: Sendable, Hashable {
        public var questions = 0
        public var newlyGrouped = 0
        public var topics = 0
        public var topicIDs: [Topic.ID] = []
    }

    /// - Parameter progress: called with the number of questions placed so far (for a progress line).
    public func run(
        store: any TopicStore, rebuild: Bool, actor: String, now: Date, progress: (@Sendable (Int) -> Void)? = nil
    ) async throws -> Report {
        let candidates = try await store.groupingCandidates()
        let analysed = await Self.analyse(candidates.map(\.question.text), lexicon: lexicon)
        var grouper = TopicGrouper(scorer: PairScorer(lexicon: lexicon, threshold: threshold))
        var features: [Int64: QuestionFeatures] = [:]
        var byID: [Int64: GroupableQuestion] = [:]
        features.reserveCapacity(candidates.count)
        byID.reserveCapacity(candidates.count)
        for (candidate, feature) in zip(candidates, analysed) {
            guard let id = candidate.question.id else { continue }
            features[id] = feature
            byID[id] = candidate
        }
        // Fixed members first, so that the rest can find them; then the others in arrival order.
        let fixed = candidates.filter { $0.pinned || (!rebuild && $0.question.topicID != nil) }
        let free = candidates.filter { !($0.pinned || (!rebuild && $0.question.topicID != nil)) }
        var placed = 0
        for candidate in fixed {
            placed += 1
            if placed % 256 == 0 { progress?(placed) }
            let id = candidate.question.id!
            if candidate.pinned {
                grouper.add(id: id, features: features[id]!, officeTopic: candidate.question.topicID)
            } else {
                grouper.add(id: id, features: features[id]!, seedTopic: candidate.question.topicID)
            }
        }
        for candidate in free {
            placed += 1
            if placed % 256 == 0 { progress?(placed) }
            let id = candidate.question.id!
            grouper.add(id: id, features: features[id]!)
        }
        progress?(placed)
        if rebuild { grouper.refine() }

        var assignments: [TopicAssignment] = []
        var usedTopics = Set<Topic.ID>()
        for group in grouper.groups {
            var topicID = group.storedTopic
            if topicID == nil {
                // A rebuilt cluster keeps the identity of the topic most of its members were in.
                let previous = group.questionIDs.compactMap { byID[$0]?.question.topicID }.filter {
                    !usedTopics.contains($0)
                }
                topicID =
                    Dictionary(previous.map { ($0, 1) }, uniquingKeysWith: +)
                    .max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key
            }
            if let topicID { usedTopics.insert(topicID) }
            let facts = TopicFactsBuilder(lexicon: lexicon).facts(
                questions: group.questionIDs.compactMap { byID[$0]?.question },
                features: features,
                medoid: grouper.medoid(group.cluster))
            assignments.append(TopicAssignment(topicID: topicID, questionIDs: group.questionIDs, facts: facts))
        }
        let ids = try await store.saveGrouping(assignments, actor: actor, now: now)
        var report = Report()
        report.questions = candidates.count
        report.newlyGrouped = candidates.filter { $0.question.topicID == nil }.count
        report.topics = ids.count
        report.topicIDs = ids
        return report
    }
}

extension TopicGrouping {
    /// Each text's features, in order. Analysis is independent per text (an analyser's word cache
    /// changes no result), so a large run splits it over the cores, one analyser each; a small one
    /// stays on the caller's task.
    public static func analyse(_ texts: [String], lexicon: DomainLexicon) async -> [QuestionFeatures] {
        let workers = texts.count < 2_000 ? 1 : max(1, ProcessInfo.processInfo.activeProcessorCount)
        if workers == 1 {
            var analyzer = TextAnalyzer(lexicon: lexicon)
            return texts.map { analyzer.features($0) }
        }
        let chunk = (texts.count + workers - 1) / workers
        return await withTaskGroup(of: (Int, [QuestionFeatures]).self) { group in
            for worker in 0..<workers {
                let slice = Array(texts[min(worker * chunk, texts.count)..<min((worker + 1) * chunk, texts.count)])
                group.addTask {
                    var analyzer = TextAnalyzer(lexicon: lexicon)
                    return (worker, slice.map { analyzer.features($0) })
                }
            }
            var parts: [(Int, [QuestionFeatures])] = []
            for await part in group { parts.append(part) }
            return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }
}

/// Derives a topic's facts from its members: medoid and title, majority category, the place and
/// the most specific issue most members name, and a reason line from their ids.
public struct TopicFactsBuilder: Sendable {
    public let lexicon: DomainLexicon

    public init(lexicon: DomainLexicon) {
        self.lexicon = lexicon
    }

    public func facts(questions: [Question], features: [Int64: QuestionFeatures], medoid: Int64?) -> TopicFacts {
        var places: [Int32: Int] = [:]
        var issues: [Int32: Int] = [:]
        var numbers: [String: Int] = [:]
        var categories: [QuestionCategory: Int] = [:]
        for question in questions {
            guard let id = question.id, let feature = features[id] else { continue }
            for place in feature.places { places[place, default: 0] += 1 }
            for number in feature.numbers { numbers[number, default: 0] += 1 }
            // The most specific issues only: a child concept stands for its parent.
            let concepts = Set(feature.concepts)
            let leaves = concepts.filter { concept in
                lexicon.concepts[Int(concept)].kind == .issue
                    && !concepts.contains { lexicon.concepts[Int($0)].parent == concept }
            }
            for concept in leaves { issues[concept, default: 0] += 1 }
            let category =
                question.category
                ?? leaves.compactMap { lexicon.concepts[Int($0)].category }.sorted { $0.rawValue < $1.rawValue }.first
            if let category { categories[category, default: 0] += 1 }
        }
        func top<K: Comparable>(_ counts: [K: Int]) -> K? {
            counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        }
        let place = top(places).map { lexicon.places[Int($0)] }
        let concept = top(issues).map { lexicon.concepts[Int($0)] }
        let number = top(numbers).flatMap { numbers[$0]! * 2 > questions.count ? $0 : nil }
        let representative = questions.first { $0.id == medoid } ?? questions.first
        let text = representative?.text ?? ""
        let title = TopicEdits.derivedTitle(text)
        let reason = [concept?.id, place?.id, number.map { "№" + $0 }].compactMap { $0 }.joined(separator: " · ")
        return TopicFacts(
            representativeQuestionID: representative?.id, title: title,
            category: top(categories.mapKeys(\.rawValue)).flatMap(QuestionCategory.init(rawValue:)),
            placeKey: place?.id, place: place?.label["ru"], conceptKey: concept?.id,
            reason: reason.isEmpty ? "text" : reason)
    }
}

extension Dictionary {
    fileprivate func mapKeys<T: Hashable>(_ transform: (Key) -> T) -> [T: Value] {
        [T: Value](map { (transform($0.key), $0.value) }, uniquingKeysWith: { first, _ in first })
    }
}
