import Foundation
import TyndauCore

/// Topics on arrival: places each newly accepted question in its best topic the moment it is stored,
/// with the same engine as a grouping run — ``TextAnalyzer`` features, ``PairScorer`` scores and
/// ``TopicGrouper``'s rule (the candidate topic with the best *average* score over its members at or
/// above the threshold, else a new topic) — so that a question placed on arrival lands where an
/// incremental `tyndau topics group` run would have put it.
///
/// It keeps the stored topics in memory between batches (the features of every member, analysed
/// once) and reconciles with the store whenever the store's grouping revision is not the one it last
/// wrote: then it rebuilds its grouper from the stored members — other servers' placements, grouping
/// runs and office decisions included (pinned members as office topics, which never merge) — before
/// deciding. ``decide(_:)`` runs inside the store's locked transaction
/// (``ArrivalGroupingStore/placeArrivals(knownRevision:limit:actor:now:decide:)``); ``committed(_:)``
/// records what the store wrote. Until then the grouper counts as unreconciled, so a rolled-back or
/// retried transaction makes the next batch rebuild rather than trust memory.
public struct ArrivalGrouper: Sendable {
    public let lexicon: DomainLexicon
    public let threshold: Double
    /// The store's grouping revision this memory matches; `nil` when it must reconcile first.
    public private(set) var knownRevision: Int64?
    private var analyzer: TextAnalyzer
    private var grouper: TopicGrouper
    private var featureCache: [Question.ID: QuestionFeatures] = [:]
    private var questions: [Question.ID: Question] = [:]
    /// Clusters this grouper opened, once the store gave them a topic id.
    private var storedTopics: [Int32: Topic.ID] = [:]
    /// The cluster each question of the current batch went to.
    private var pending: [Question.ID: Int32] = [:]
    /// Each cluster's medoid and the member count it was found at: recomputed while a topic is small,
    /// then each time it doubles (the medoid of a large topic hardly moves, and the search is
    /// quadratic in the members it looks at).
    private var medoids: [Int32: (members: Int, medoid: Int64?)] = [:]

    /// The batch reached the grouper without the stored members although its memory is unreconciled
    /// (the store retried a transaction after ``decide(_:)`` had run): the caller retries from scratch.
    public struct NeedsReconciliation: Error {}

    public init(lexicon: DomainLexicon = .bundled, threshold: Double = PairScorer.defaultThreshold) {
        self.lexicon = lexicon
        self.threshold = threshold
        self.analyzer = TextAnalyzer(lexicon: lexicon)
        self.grouper = TopicGrouper(scorer: PairScorer(lexicon: lexicon, threshold: threshold))
    }

    /// Where each arrival of `batch` goes, in arrival order (an arrival may join a topic an earlier one
    /// of the same batch opened), with each touched topic's facts recomputed once.
    public mutating func decide(_ batch: ArrivalBatch) throws -> [ArrivalPlacement] {
        if let members = batch.members {
            reconcile(members)
        } else if knownRevision == nil || knownRevision != batch.revision {
            throw NeedsReconciliation()
        }
        // Unreconciled until the store confirms the writes below.
        knownRevision = nil
        pending = [:]
        var order: [(question: Question.ID, cluster: Int32, score: Double)] = []
        for arrival in batch.arrivals {
            guard let id = arrival.question.id, questions[id] == nil else { continue }
            questions[id] = arrival.question
            let cluster = grouper.add(id: id, features: features(of: arrival.question))
            let score = grouper.items.last?.joinScore ?? 0
            pending[id] = cluster
            order.append((id, cluster, score))
        }
        var facts: [Int32: TopicFacts] = [:]
        var placements: [ArrivalPlacement] = []
        for (index, entry) in order.enumerated() {
            // Facts once per touched topic, given with the last of its arrivals in this batch.
            let last = !order[(index + 1)...].contains { $0.cluster == entry.cluster }
            if last, facts[entry.cluster] == nil { facts[entry.cluster] = self.facts(entry.cluster) }
            placements.append(
                ArrivalPlacement(
                    questionID: entry.question, topicID: topicID(entry.cluster), newTopic: Int(entry.cluster),
                    facts: last ? facts[entry.cluster]! : interimFacts(entry.cluster), score: entry.score))
        }
        return placements
    }

    /// Records what the store wrote: the topic ids of clusters opened in the batch, and the revision
    /// after the writes (the next batch needs no reconciliation unless someone else changed topics).
    public mutating func committed(_ outcome: ArrivalOutcome) {
        for (question, topic) in outcome.placed {
            if let cluster = pending[question], grouper.clusters[Int(cluster)].storedTopic == nil {
                storedTopics[cluster] = topic
            }
        }
        pending = [:]
        knownRevision = outcome.revision
    }

    /// Rebuilds the grouper from the stored members, in arrival order, as a grouping run would hold
    /// them: pinned ones (office decisions, or past grouping) in office topics, the others seeded.
    mutating func reconcile(_ members: [GroupableQuestion]) {
        grouper = TopicGrouper(scorer: grouper.scorer)
        storedTopics = [:]
        medoids = [:]
        var kept: [Question.ID: Question] = [:]
        kept.reserveCapacity(members.count)
        for member in members {
            guard let id = member.question.id, let topic = member.question.topicID else { continue }
            kept[id] = member.question
            let analysed = self.features(of: member.question)
            if member.pinned {
                grouper.add(id: id, features: analysed, officeTopic: topic)
            } else {
                grouper.add(id: id, features: analysed, seedTopic: topic)
            }
        }
        questions = kept
        featureCache = featureCache.filter { kept[$0.key] != nil }
    }

    private mutating func features(of question: Question) -> QuestionFeatures {
        let id = question.id ?? 0
        if let cached = featureCache[id] { return cached }
        let features = analyzer.features(question.text)
        featureCache[id] = features
        return features
    }

    private func topicID(_ cluster: Int32) -> Topic.ID? {
        grouper.clusters[Int(cluster)].storedTopic ?? storedTopics[cluster]
    }

    private mutating func facts(_ cluster: Int32) -> TopicFacts {
        let ids = grouper.clusters[Int(cluster)].members.map { grouper.items[Int($0)].id }
        let medoid: Int64?
        if let cached = medoids[cluster], ids.count > 8, ids.count < cached.members * 2 {
            medoid = cached.medoid
        } else {
            medoid = grouper.medoid(cluster)
            medoids[cluster] = (ids.count, medoid)
        }
        // The majority place, issue and category of a large topic are read from its most recent
        // members (and the medoid): a bounded sample, so a pass costs the same however large topics grow.
        var sample = ids.count <= Self.factsSample ? ids : Array(ids.suffix(Self.factsSample))
        if let medoid, !sample.contains(medoid) { sample.append(medoid) }
        return TopicFactsBuilder(lexicon: lexicon).facts(
            questions: sample.compactMap { questions[$0] }, features: featureCache, medoid: medoid)
    }

    static let factsSample = 256

    /// Facts for an arrival that is not the last of its topic in the batch: the last one's overwrite
    /// them in the same transaction, so a cheap stand-in (without the medoid search) is enough.
    private func interimFacts(_ cluster: Int32) -> TopicFacts {
        let first = grouper.clusters[Int(cluster)].members.first.map { grouper.items[Int($0)].id }
        return TopicFactsBuilder(lexicon: lexicon).facts(
            questions: first.flatMap { questions[$0] }.map { [$0] } ?? [], features: featureCache, medoid: first)
    }
}
