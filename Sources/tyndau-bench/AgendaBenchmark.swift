import AgendaScheduler
import Foundation
import TyndauCore

/// Agenda build time: N generated candidate topics (default 10,000) scored, selected exactly,
/// for a meeting of `--duration` minutes (default 60) with at most `--max-topics` topics (default 10),
/// laid out and rendered to Markdown, JSON and iCalendar. Each figure is the median of several runs.
enum AgendaBenchmark {
    static func run(_ arguments: [String]) async throws {
        let count = Int(Measure.option("--topics", in: arguments) ?? "") ?? 10_000
        let runs = Int(Measure.option("--runs", in: arguments) ?? "") ?? 15
        let week = ISOWeek("2026-W49")!
        var series = MeetingSeries()
        series.durationMinutes = Int(Measure.option("--duration", in: arguments) ?? "") ?? 60
        var policy = AgendaPolicy()
        policy.maxTopics = Int(Measure.option("--max-topics", in: arguments) ?? "") ?? policy.maxTopics
        let calendar = MeetingCalendar(series: series)
        let candidates = generate(count: count, before: calendar.cutoff(of: week))
        let planner = AgendaPlanner(series: series, policy: policy)

        var planTimes: [Double] = []
        var renderTimes: [Double] = []
        var cpuTimes: [Double] = []
        var planCPUTimes: [Double] = []
        var chosen = 0
        var written = 0
        for _ in 0..<runs {
            let cpuBefore = processCPUSeconds()
            let (agenda, planSeconds) = try await Measure.seconds { try planner.plan(week: week, candidates: candidates) }
            planCPUTimes.append(processCPUSeconds() - cpuBefore)
            let (bytes, renderSeconds) = await Measure.seconds { () async -> Int in
                AgendaMarkdownRenderer().render(agenda).utf8.count + AgendaJSONRenderer().render(agenda).utf8.count
                    + AgendaICalendarRenderer().render(agenda).utf8.count
            }
            precondition(bytes > 0 && !agenda.topics.isEmpty)
            cpuTimes.append(processCPUSeconds() - cpuBefore)
            planTimes.append(planSeconds)
            renderTimes.append(renderSeconds)
            chosen = agenda.topics.count
            written = agenda.writtenAnswers.count
        }
        let totals = zip(planTimes, renderTimes).map(+)
        Measure.emit("agenda_candidates", Double(count))
        Measure.emit("agenda_duration_minutes", Double(series.durationMinutes))
        Measure.emit("agenda_max_topics", Double(policy.maxTopics))
        Measure.emit("agenda_runs", Double(runs))
        Measure.emit("agenda_chosen", Double(chosen))
        Measure.emit("agenda_written_answers", Double(written))
        Measure.emit("agenda_plan_ms_median", median(planTimes) * 1000, decimals: 1)
        Measure.emit("agenda_render_ms_median", median(renderTimes) * 1000, decimals: 1)
        Measure.emit("agenda_build_ms_median", median(totals) * 1000, decimals: 1)
        Measure.emit("agenda_build_ms_max", (totals.max() ?? 0) * 1000, decimals: 1)
        // CPU time of plan + render: what the build costs when the machine is shared with other work.
        Measure.emit("agenda_plan_cpu_ms_median", median(planCPUTimes) * 1000, decimals: 1)
        Measure.emit("agenda_build_cpu_ms_median", median(cpuTimes) * 1000, decimals: 1)
        Measure.emit("agenda_peak_rss_mib", Measure.peakMemoryMiB(), decimals: 1)
    }

    /// CPU seconds this process has used (user + system).
    static func processCPUSeconds() -> Double {
        var usage = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &usage)
        return Double(usage.tv_sec) + Double(usage.tv_nsec) / 1e9
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    /// Topics over six weeks of submissions, 1–40 askers, a few with urgency words, two texts each.
    static func generate(count: Int, before cutoff: Date) -> [AgendaCandidate] {
        var generator = QuestionGenerator(seed: 7)
        return (0..<count).map { index in
            let row = generator.row(index: index)
            let urgent = generator.next(20) == 0
            let base = row.submission.text ?? ""
            let text = base + (urgent ? " Третий день нет воды." : "")
            return AgendaCandidate(
                topicID: Int64(index + 1), title: text, block: AgendaBlock.allCases[generator.next(4)],
                askers: 1 + generator.next(40),
                firstSubmittedAt: cutoff.addingTimeInterval(-Double(1 + generator.next(42 * 86_400))),
                place: QuestionGenerator.streets[generator.next(QuestionGenerator.streets.count)],
                texts: [text, base]
            )
        }
    }
}
