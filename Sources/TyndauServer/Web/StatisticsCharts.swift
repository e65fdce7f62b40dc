import Foundation
import TyndauCore

/// The statistics page's charts as template values: stacked bars drawn as SVG rectangles (numbers
/// only, so nothing needs escaping inside the SVG) and the same figures as a table for screen readers
/// (the SVG is hidden from them).
struct StatisticsCharts {
    let figures: PublicStatistics
    let language: UILanguage

    static let width = 640
    static let height = 220
    static let plotTop = 10
    static let plotBottom = 190
    static let barHeight = 48

    var all: [[String: Any]] {
        [perWeekByBlock, perWeekByLanguage, outcomes, promises]
    }

    // MARK: - Charts

    var perWeekByBlock: [String: Any] {
        let blocks = AgendaBlock.allCases
        return weekly(
            heading: "page.stats.per-week", series: blocks.map { CoreText.block($0, language) },
            values: figures.weeks.map { week in blocks.map { week.byBlock[$0] ?? 0 } })
    }

    var perWeekByLanguage: [String: Any] {
        let groups = PublicStatistics.languageGroups
        return weekly(
            heading: "page.stats.languages", series: groups.map { ServerText.text("page.stats.language." + $0, language) },
            values: figures.weeks.map { week in groups.map { week.byLanguage[$0] ?? 0 } })
    }

    var outcomes: [String: Any] {
        let cases = PublicStatistics.Outcome.allCases
        return totals(
            heading: "page.stats.outcomes",
            entries: cases.map { (ServerText.text("page.stats.outcome." + $0.rawValue, language), figures.outcomes[$0] ?? 0) })
    }

    var promises: [String: Any] {
        let cases = PromiseStatus.allCases
        // Coloured by meaning, as on the tracker: overdue red, due soon amber, open blue, kept green.
        return totals(
            heading: "page.stats.promises",
            entries: cases.map { (ServerText.text("page.promises.status." + $0.rawValue, language), figures.promises[$0] ?? 0) },
            series: cases.map { "state-" + $0.rawValue })
    }

    // MARK: - Geometry

    /// One stacked column per week; `values[week][series]`.
    private func weekly(heading: String, series: [String], values: [[Int]]) -> [String: Any] {
        let columns = max(1, values.count)
        let slot = Double(Self.width - 40) / Double(columns)
        let top = Double(max(1, values.map { $0.reduce(0, +) }.max() ?? 1))
        let plot = Double(Self.plotBottom - Self.plotTop)
        var bars: [[String: Any]] = []
        var labels: [[String: Any]] = []
        for (index, stack) in values.enumerated() {
            let x = 40 + Double(index) * slot + slot * 0.15
            var y = Double(Self.plotBottom)
            for (seriesIndex, value) in stack.enumerated() where value > 0 {
                let height = plot * Double(value) / top
                y -= height
                bars.append([
                    "x": Self.number(x), "y": Self.number(y), "w": Self.number(slot * 0.7), "h": Self.number(height),
                    "class": "series-\(seriesIndex)",
                ])
            }
            let week = figures.weeks[index].week
            labels.append(["x": Self.number(x), "y": Self.height - 12, "text": "W\(week.week)"])
        }
        labels.append(["x": 0, "y": Self.plotTop + 10, "text": String(Int(top))])
        labels.append(["x": 0, "y": Self.plotBottom, "text": "0"])
        let rows = values.enumerated().map { index, stack -> [String: Any] in
            ["cells": [figures.weeks[index].week.description] + stack.map(String.init) + [String(stack.reduce(0, +))]]
        }
        return chart(
            heading: heading, legend: series.enumerated().map { ["class": "series-\($0.offset)", "label": $0.element] }, bars: bars,
            labels: labels, height: Self.height, columns: [ServerText.text("page.stats.week", language)] + series + [ServerText.text("page.stats.total", language)],
            rows: rows)
    }

    /// One horizontal stacked bar of `entries`; `series` names each entry's colour class
    /// (`series-N` by default).
    private func totals(heading: String, entries: [(String, Int)], series: [String]? = nil) -> [String: Any] {
        let classes = series ?? entries.indices.map { "series-\($0)" }
        let sum = Double(max(1, entries.map(\.1).reduce(0, +)))
        var x = 0.0
        var bars: [[String: Any]] = []
        for (index, entry) in entries.enumerated() where entry.1 > 0 {
            let width = Double(Self.width) * Double(entry.1) / sum
            bars.append(["x": Self.number(x), "y": 0, "w": Self.number(width), "h": Self.barHeight, "class": classes[index]])
            x += width
        }
        return chart(
            heading: heading, legend: zip(entries.map(\.0), classes).map { ["class": $1, "label": $0] }, bars: bars, labels: [],
            height: Self.barHeight, columns: ["", ServerText.text("page.stats.count", language)],
            rows: entries.map { ["cells": [$0.0, String($0.1)]] })
    }

    private func chart(
        heading: String, legend: [[String: String]], bars: [[String: Any]], labels: [[String: Any]], height: Int, columns: [String],
        rows: [[String: Any]]
    ) -> [String: Any] {
        [
            "heading": ServerText.text(heading, language), "width": Self.width, "height": height, "bars": bars, "labels": labels,
            "legend": legend, "columns": columns, "rows": rows,
        ]
    }

    private static func number(_ value: Double) -> String { String(format: "%.1f", value) }
}
