import AgendaScheduler
import Foundation
import TyndauCore

/// The meeting series in effect for the resident pages' dates: the configuration's, overlaid by what
/// the office stored with `tyndau series set` or the console, read at most once a minute (by the
/// injected clock). Stored settings that no longer parse leave the configuration's in effect.
public actor SeriesInEffect {
    let configured: SeriesSettings
    let store: any AgendaStore
    let lifetime: TimeInterval = 60
    private var cached: (at: Date, settings: SeriesSettings)?

    public init(configured: SeriesSettings, store: any AgendaStore) {
        self.configured = configured
        self.store = store
    }

    public func settings(now: Date) async -> SeriesSettings {
        if let cached, now >= cached.at, now.timeIntervalSince(cached.at) < lifetime { return cached.settings }
        let settings = (try? configured.applying(try await store.seriesSettings())) ?? configured
        cached = (now, settings)
        return settings
    }

    /// The receipt's dates for a question submitted at `date`.
    public func timeframe(submittedAt date: Date, now: Date) async -> ReceiptTimeframe {
        ReceiptTimeframe(submittedAt: date, settings: await settings(now: now))
    }
}

extension ReceiptTimeframe {
    /// The receipt's promise about time, in `language`: the meeting the question is a candidate for,
    /// and the latest day of a written answer (the web receipt, the status page, Open311's notice, the
    /// bot's reply, the e-mail acknowledgement): the one place for the wording.
    public func lines(_ language: UILanguage) -> [String] {
        let zone = timeZone.identifier
        var lines = [
            ServerText.text("page.timeframe.candidate", language, [PublicRecordController.localTime(meetingStart, zone) + " (\(zone))"]),
        ]
        if let due = writtenAnswerDue {
            lines.append(ServerText.text("page.timeframe.written", language, [PublicRecordController.displayDay(due.description)]))
        }
        return lines
    }
}
