import Foundation

/// Removes personal data from question text before anything public is rendered: phone numbers in the
/// formats Kazakh residents type, IINs (12 digits with a valid checksum), e-mail addresses, bank card
/// numbers (Luhn-valid) and the names the asker gave in the form.
///
/// Ordinary numbers stay: house 15, school 45, bus 79, dates, amounts. A digit run is only removed
/// when its shape is a phone's, or its checksum is an IIN's or a card's.
public struct PersonalDataScrubber: Sendable {
    /// What replaces each removed piece.
    public var mask: String

    public init(mask: String = "[***]") {
        self.mask = mask
    }

    /// `text` with personal data masked; `names` are the asker's own (from the form), matched
    /// case-insensitively as whole words, each part of a full name separately.
    public func scrub(_ text: String, names: [String] = []) -> String {
        var output = text
        output = Self.replace(Self.email, in: output, with: mask)
        output = replaceDigitRuns(in: output)
        output = replaceNames(names, in: output)
        return output
    }

    // MARK: - E-mail

    private static let email = try! NSRegularExpression(
        pattern: #"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"#
    )

    private static func replace(_ regex: NSRegularExpression, in text: String, with mask: String) -> String {
        let range = NSRange(text.startIndex..., in: text)
        return regex.stringByReplacingMatches(in: text, range: range, withTemplate: NSRegularExpression.escapedTemplate(for: mask))
    }

    // MARK: - Digit runs: phones, IINs, cards

    /// A run of digits possibly joined by the separators people put inside numbers.
    private static let digitRun = try! NSRegularExpression(
        pattern: #"\+?\(?\d[\d\s\-()\.]*\d"#
    )

    private func replaceDigitRuns(in text: String) -> String {
        let nsText = text as NSString
        var result = ""
        var last = 0
        for match in Self.digitRun.matches(in: text, range: NSRange(location: 0, length: nsText.length)) {
            let run = nsText.substring(with: match.range)
            for span in Self.personalSpans(in: run) {
                let start = match.range.location + span.location
                result += nsText.substring(with: NSRange(location: last, length: start - last)) + mask
                last = start + span.length
            }
        }
        return result + nsText.substring(from: last)
    }

    /// The parts of a digit run that are personal data, relative to the run, in order.
    ///
    /// A run may hold several numbers ("дом 15 8 701 123 45 67"), so every window of consecutive
    /// space-separated pieces is tried, longest first from each start.
    static func personalSpans(in run: String) -> [NSRange] {
        let nsRun = run as NSString
        var pieces: [NSRange] = []
        var location = 0
        for piece in run.split(separator: " ", omittingEmptySubsequences: true) {
            let range = nsRun.range(of: String(piece), range: NSRange(location: location, length: nsRun.length - location))
            pieces.append(range)
            location = range.location + range.length
        }
        var spans: [NSRange] = []
        var start = 0
        while start < pieces.count {
            var found: Int?
            for end in stride(from: min(pieces.count - 1, start + 7), through: start, by: -1) {
                let range = NSRange(
                    location: pieces[start].location,
                    length: pieces[end].location + pieces[end].length - pieces[start].location
                )
                if isPersonalNumber(nsRun.substring(with: range)) {
                    spans.append(range)
                    found = end
                    break
                }
            }
            start = (found ?? start) + 1
        }
        return spans
    }

    static func isPersonalNumber(_ candidate: String) -> Bool {
        let digits = candidate.filter(\.isNumber)
        if isPhone(candidate, digits: digits) { return true }
        if digits.count == 12, isIIN(digits) { return true }
        return (13...19).contains(digits.count) && isLuhn(digits) && looksLikeCard(candidate)
    }

    /// Phone shapes: +7 / 8 / 7 followed by 10 digits, or a local Almaty number written 3-2-2
    /// (`250-50-50`, `2 50 50 50` is too ambiguous and is left alone).
    static func isPhone(_ run: String, digits: String) -> Bool {
        let trimmed = run.trimmingCharacters(in: .whitespaces)
        if digits.count == 11, digits.hasPrefix("7") || digits.hasPrefix("8") {
            // 8 7xx … mobile or 8 7xx landline area codes all start with 7 after the trunk prefix.
            return digits.dropFirst().hasPrefix("7") || trimmed.hasPrefix("+")
        }
        if digits.count == 10, digits.hasPrefix("7"), trimmed.contains(where: { " -()".contains($0) }) {
            return true
        }
        if digits.count == 7, trimmed.range(of: #"^\d{3}-\d{2}-\d{2}$"#, options: .regularExpression) != nil {
            return true
        }
        return false
    }

    /// Kazakhstan's IIN checksum: weights 1…11, and when that gives 10, weights 3…11,1,2.
    public static func isIIN(_ digits: String) -> Bool {
        let values = digits.compactMap(\.wholeNumberValue)
        guard values.count == 12 else { return false }
        let first = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        let second = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
        var check = zip(values, first).map(*).reduce(0, +) % 11
        if check == 10 {
            check = zip(values, second).map(*).reduce(0, +) % 11
            if check == 10 { return false }
        }
        // Month in the date of birth must be plausible, which rules out most random 12-digit runs.
        let month = values[2] * 10 + values[3]
        return check == values[11] && (1...12).contains(month)
    }

    /// The Luhn checksum of card numbers.
    public static func isLuhn(_ digits: String) -> Bool {
        let values = digits.compactMap(\.wholeNumberValue)
        guard values.count >= 12 else { return false }
        var sum = 0
        for (index, value) in values.reversed().enumerated() {
            if index % 2 == 1 {
                let doubled = value * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += value
            }
        }
        return sum % 10 == 0
    }

    /// Cards are written as one block or in groups of four.
    static func looksLikeCard(_ run: String) -> Bool {
        let groups = run.split(whereSeparator: { $0 == " " || $0 == "-" })
        return groups.count == 1 || groups.dropLast().allSatisfy { $0.count == 4 }
    }

    // MARK: - Names

    private func replaceNames(_ names: [String], in text: String) -> String {
        let parts = Set(names.flatMap { $0.split(whereSeparator: { $0.isWhitespace || $0 == "," }) }
            .map(String.init).filter { $0.count >= 3 })
        guard !parts.isEmpty else { return text }
        var output = text
        var stems: [String] = []
        // Longest first, so "Айгуль" is not left behind when "Айгуль Серикова" matched only partly.
        for part in parts.sorted(by: { $0.count > $1.count }) {
            // Drop a final vowel or soft sign so case endings match: "Айгуль" → "Айгулю", "Серикова" → "Сериковой".
            let stem = part.count >= 5 && "аяеиоуыьйюёэіәөұүa".contains(part.last!.lowercased()) ? String(part.dropLast()) : part
            // A name of letters only is matched word by word below (compiling a pattern per name is
            // what made scrubbing a topic with many named askers slow); anything else by pattern.
            if stem.allSatisfy(\.isLetter) {
                stems.append(stem.lowercased())
                continue
            }
            let escaped = NSRegularExpression.escapedPattern(for: stem)
            // Whole word, allowing Russian/Kazakh case endings after the name ("Айгуль" → "Айгулю").
            guard let regex = try? NSRegularExpression(
                pattern: #"(?<![\p{L}])"# + escaped + #"\p{L}{0,3}(?![\p{L}])"#, options: [.caseInsensitive]
            ) else { continue }
            output = Self.replace(regex, in: output, with: mask)
        }
        return maskWords(in: output, stems: stems)
    }

    /// Every word (a maximal run of letters) that starts with one of `stems` (lowercased) and has at
    /// most three letters more — a case ending — replaced by the mask.
    private func maskWords(in text: String, stems: [String]) -> String {
        guard !stems.isEmpty else { return text }
        var result = ""
        var word = ""
        func flush() {
            guard !word.isEmpty else { return }
            let lower = word.lowercased()
            result += stems.contains { lower.hasPrefix($0) && lower.count - $0.count <= 3 } ? mask : word
            word = ""
        }
        for character in text {
            if character.isLetter {
                word.append(character)
            } else {
                flush()
                result.append(character)
            }
        }
        flush()
        return result
    }
}
