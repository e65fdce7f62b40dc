import Foundation
import Testing
import TyndauCore

/// ``LocalTime`` against Foundation's `DateFormatter`, the reference it replaces, across zones with
/// odd offsets, daylight saving and Almaty's own change from UTC+6 to UTC+5 (1 March 2024).
@Suite struct LocalTimeTests {
    static let zones = ["Asia/Almaty", "UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "America/St_Johns"]

    static func reference(_ date: Date, _ zone: TimeZone, _ format: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = zone
        formatter.dateFormat = format
        return formatter.string(from: date)
    }

    @Test(arguments: zones)
    func agreesWithDateFormatter(_ identifier: String) throws {
        let zone = try #require(TimeZone(identifier: identifier))
        var random = SplitMix64(seed: 20_261_205)
        // 1900 … 2100, plus the hours around Almaty's offset change and a New York DST switch.
        var instants = (0..<2_000).map { _ in
            Date(timeIntervalSince1970: -2_208_988_800 + Double(random.next() % 6_311_433_600) + 0.75)
        }
        let almatyChange = Date(timeIntervalSince1970: 1_709_229_600)  // 2024-02-29T18:00:00Z, midnight UTC+6
        let newYorkSpring = Date(timeIntervalSince1970: 1_710_054_000)  // 2024-03-10T07:00:00Z
        for base in [almatyChange, newYorkSpring, Date(timeIntervalSince1970: 0)] {
            instants += stride(from: -7_200.0, through: 7_200, by: 900).map { base.addingTimeInterval($0) }
        }
        for instant in instants {
            let local = LocalTime(instant, in: zone)
            #expect(local.dotted == Self.reference(instant, zone, "dd.MM.yyyy HH:mm"), "\(instant) in \(identifier)")
            #expect(local.isoSeconds == Self.reference(instant, zone, "yyyy-MM-dd'T'HH:mm:ss"))
            #expect(local.basic == Self.reference(instant, zone, "yyyyMMdd'T'HHmmss"))
        }
    }

    @Test func formsOfOneInstant() {
        // 2026-12-03T10:05:09Z is 15:05:09 in Almaty (UTC+5).
        let local = LocalTime(Date(timeIntervalSince1970: 1_796_292_309), in: .almaty)
        #expect(local.dotted == "03.12.2026 15:05")
        #expect(local.iso == "2026-12-03 15:05")
        #expect(local.clock == "15:05")
        #expect(local.date.dotted == "03.12.2026")
        #expect(local.date.description == "2026-12-03")
        #expect(local.basic == "20261203T150509")
        #expect(LocalTime.pad(7, 3) == "007")
        #expect(LocalTime.pad(12_345, 2) == "12345")
    }
}
