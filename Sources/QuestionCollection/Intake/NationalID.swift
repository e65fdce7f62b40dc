/// The Kazakh individual identification number (IIN, ЖСН/ИИН): 12 digits with a check digit.
///
/// Tyndau never asks for it. Residents still type it into the question text ("мой ИИН 900101300123"),
/// and the text is shown on status pages and published in summaries, so a valid IIN in free text is
/// masked before the question is stored: it is never echoed back.
public enum NationalID {
    /// The mask written in place of an IIN.
    public static let mask = "[ИИН]"

    /// Whether `digits` is twelve ASCII digits with a correct check digit.
    public static func isValidIIN<S: StringProtocol>(_ digits: S) -> Bool {
        let values = digits.compactMap { $0.isASCII ? $0.wholeNumberValue : nil }
        guard values.count == 12, digits.count == 12 else { return false }
        func checksum(_ weights: [Int]) -> Int { zip(values.prefix(11), weights).reduce(0) { $0 + $1.0 * $1.1 } % 11 }
        var check = checksum(Array(1...11))
        if check == 10 { check = checksum([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]) }
        return check != 10 && check == values[11]
    }

    /// `text` with every standalone run of exactly 12 digits that is a valid IIN replaced by ``mask``.
    public static func maskingIINs(in text: String) -> String {
        // Every 12-character run of ASCII digits is 12 consecutive ASCII digit bytes, so a text without
        // such a byte run (nearly every question) comes back as it is, without rebuilding it by Character.
        guard hasTwelveDigitRun(text) else { return text }
        var output = ""
        var run = ""
        func flush() {
            output += run.count == 12 && isValidIIN(run) ? mask : run
            run = ""
        }
        for character in text {
            if character.isASCII, character.isNumber {
                run.append(character)
            } else {
                flush()
                output.append(character)
            }
        }
        flush()
        return output
    }

    /// Whether `text` holds at least 12 consecutive ASCII digit bytes.
    static func hasTwelveDigitRun(_ text: String) -> Bool {
        var run = 0
        for byte in text.utf8 {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                run += 1
                if run == 12 { return true }
            } else {
                run = 0
            }
        }
        return false
    }
}
