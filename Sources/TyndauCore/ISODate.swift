import Foundation

/// Dates as people and files write them: an ISO 8601 instant (with or without fractional
/// seconds), or a bare `yyyy-MM-dd` meaning local midnight in Almaty.
public enum ISODate {
    public static func parse(_ raw: String) -> Date? {
        let full = ISO8601DateFormatter()
        if let date = full.date(from: raw) { return date }
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = full.date(from: raw) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        day.timeZone = .almaty
        return day.date(from: raw)
    }

    /// The local calendar day of `date`, `yyyy-MM-dd` (due dates compare as such strings).
    public static func day(_ date: Date, timeZone: TimeZone = .almaty) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let day = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", day.year!, day.month!, day.day!)
    }
}
