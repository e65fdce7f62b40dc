import Foundation
import Hummingbird
import Testing
@testable import TyndauServer

/// The POST answer written by hand is byte for byte what `JSONEncoder` (sorted keys, slashes unescaped,
/// ISO 8601 dates) gives for the same value.
@Suite struct CreatedJSONTests {
    static func created(_ text: String, due: String?, at seconds: Double) -> QuestionsAPIController.Created {
        QuestionsAPIController.Created(
            ticket: "TRK-2026-000042", status: "acknowledged", statusLabel: text, token: "tok_\(text)",
            statusURL: "https://tyndau.example/questions/TRK-2026-000042?token=a/b", apiURL: "/api/v1/questions/TRK?token=\(text)",
            language: "ru", duplicate: text.count % 2 == 0, submittedAt: Date(timeIntervalSince1970: seconds),
            meeting: .init(
                week: "2026-W49", startsAt: Date(timeIntervalSince1970: seconds + 86_400.25),
                cutoff: Date(timeIntervalSince1970: seconds + 3_600.999), timeZone: "Asia/Almaty"),
            writtenAnswerDue: due)
    }

    @Test(arguments: [
        "Получен", "Қабылданды", "quote \" backslash \\ slash /", "controls \n\r\t\u{8}\u{C}\u{1}\u{1F}\u{7F}", "emoji 👍🏽 e\u{301}",
        "", "\u{2028}\u{2029}<>&'",
    ])
    func handWrittenJSONIsWhatTheEncoderGives(text: String) {
        for (due, seconds) in [(Optional("2026-12-10"), 1_796_292_000.0), (nil, 1_796_292_123.456), (nil, 0.5)] {
            let value = Self.created(text, due: due, at: seconds)
            #expect(String(buffer: value.json) == String(buffer: JSONBody.encode(value)))
        }
    }
}
