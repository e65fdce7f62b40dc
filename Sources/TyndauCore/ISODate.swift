import Foundation

/// Dates as people and files write them: an ISO 8601 instant (with or without fractional
/// seconds), or a bare `yyyy-MM-dd` meaning local midnight in Almaty.
public enum ISODate {
    public static func parse(_ raw: String) -> Date? {
        let formatters = Formatters.ofThisThread
        if let date = formatters.full.date(from: raw) { return date }
        if let date = formatters.fractional.date(from: raw) { return date }
        return formatters.day.date(from: raw)
    }

    /// The three formatters, made once per thread: making one costs far more than parsing with it
    /// (an import of 100,000 dated rows spent most of its time here), and a formatter is not meant
    /// to be shared between threads.
    private final class Formatters {
        let full = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        let day = ISO8601DateFormatter()

        init() {
            fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            day.formatOptions = [.withFullDate]
            day.timeZone = .almaty
        }

        static let key = "tyndau.ISODate.formatters"

        static var ofThisThread: Formatters {
            let storage = Thread.current.threadDictionary
            if let formatters = storage[key] as? Formatters { return formatters }
            let formatters = Formatters()
            storage[key] = formatters
            return formatters
        }
    }

    /// The local calendar day of `date`, `yyyy-MM-dd` (due dates compare as such strings).
    public static func day(_ date: Date, timeZone: TimeZone = .almaty) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let day = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", day.year!, day.month!, day.day!)
    }
}
