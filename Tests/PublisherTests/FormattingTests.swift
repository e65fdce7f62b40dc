import Foundation
import HTTPClient
import Testing
import TyndauCore
@testable import Publisher

enum SampleText {
    static let special = "_*[]()~`>#+-=|{}.!\\&<>"
    static let words = [
        "Сәлеметсіз", "бе", "әкім", "мырза", "біздің", "аулада", "жарық", "жоқ", "Здравствуйте", "во", "дворе",
        "дома", "№12", "нет", "освещения", "уже", "третью", "неделю", "Жол", "жөндеу", "қашан", "басталады?",
        "Когда", "отремонтируют", "дорогу", "на", "улице", "Абая?", "Rahmet!", "қоқыс", "шығарылмайды.",
        "<b>", "&amp;", "a_b", "*важно*", "[ссылка](http://x)", "~", "`код`", "#тег", "1+1=2", "a|b", "{x}", "…",
        "👍🏽", "🇰🇿", "Ұлы", "Өскемен", "ғимарат", "үй", "іс-шара",
    ]

    /// About `length` characters of mixed Kazakh and Russian with every special character, in
    /// sentences, lines and paragraphs, plus one overlong "word".
    static func generate(length: Int, seed: UInt64 = 42) -> String {
        var generator = SplitMix64(seed: seed)
        var text = ""
        while text.count < length {
            text += words[Int(generator.next() % UInt64(words.count))]
            switch generator.next() % 20 {
            case 0: text += ".\n\n"
            case 1: text += "\n"
            case 2: text += ". "
            case 3: text += " " + special + " "
            default: text += " "
            }
        }
        text += String(repeating: "ұзынсөз", count: 900)
        return text
    }
}

@Suite struct MarkupTests {
    /// Found by `make fuzz` (formatting): a markup character followed by a combining mark is one
    /// `Character` that is not equal to the bare one, so it was left unescaped, while the services'
    /// parsers, reading code points, still see a bare `<` or `_` (Telegram refuses the message).
    @Test func escapesMarkupCharactersThatCarryCombiningMarks() {
        #expect(Markup.html("a<\u{338}b & \"\u{301}").unicodeScalars.elementsEqual("a&lt;\u{338}b &amp; &quot;\u{301}".unicodeScalars))
        #expect(Markup.slack(">\u{301}&\u{327}").unicodeScalars.elementsEqual("&gt;\u{301}&amp;\u{327}".unicodeScalars))
        #expect(Markup.telegramMarkdownV2("_\u{301}x [\u{308}]").unicodeScalars.elementsEqual("\\_\u{301}x \\[\u{308}\\]".unicodeScalars))
        #expect(Markup.chatMarkdown("*\u{20DD}").unicodeScalars.elementsEqual("\\*\u{20DD}".unicodeScalars))
        // The splitter's costs count the same escapes, so an escaped part still fits its limit.
        for character: Character in [">\u{301}", "&\u{327}", "*\u{20DD}", "<\u{338}", "a"] {
            #expect(Markup.slackCost(character) == Markup.slack(String(character)).utf16.count)
            #expect(Markup.chatMarkdownCost(character, unit: .utf16) == Markup.chatMarkdown(String(character)).utf16.count)
            #expect(Markup.chatMarkdownCost(character, unit: .scalars) == Markup.chatMarkdown(String(character)).unicodeScalars.count)
        }
    }

    @Test func escapesTelegramHTMLGolden() {
        #expect(Markup.html(SampleText.special) == "_*[]()~`&gt;#+-=|{}.!\\&amp;&lt;&gt;")
        #expect(Markup.html("Сәлем <әкім> & «халық»") == "Сәлем &lt;әкім&gt; &amp; «халық»")
    }

    @Test func escapesTelegramMarkdownV2Golden() {
        #expect(Markup.telegramMarkdownV2(SampleText.special) == "\\_\\*\\[\\]\\(\\)\\~\\`\\>\\#\\+\\-\\=\\|\\{\\}\\.\\!\\\\&<\\>")
        #expect(Markup.telegramMarkdownV2("Жол-жөндеу (Абай к.) 5.") == "Жол\\-жөндеу \\(Абай к\\.\\) 5\\.")
    }

    @Test func escapesSlackGolden() {
        #expect(Markup.slack(SampleText.special) == "_*[]()~`&gt;#+-=|{}.!\\&amp;&lt;&gt;")
        #expect(Markup.slack("Дорога <Абая> & Сәтпаев") == "Дорога &lt;Абая&gt; &amp; Сәтпаев")
    }

    @Test func escapesDiscordAndMattermostGolden() {
        #expect(Markup.chatMarkdown(SampleText.special) == "\\_\\*\\[\\]\\(\\)\\~\\`\\>\\#\\+\\-=\\|{}.\\!\\\\&\\<\\>")
        #expect(Markup.chatMarkdown("**Әкім** _жауабы_") == "\\*\\*Әкім\\*\\* \\_жауабы\\_")
    }

    @Test func encodesSubjectAsRFC2047WordsWithinSeventyFiveCharacters() {
        let subject = "Әкімнің жауаптары — 49-апта, Алматы қаласы Бостандық ауданы"
        let encoded = EmailTarget.encodedWords(subject)
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        var decoded = Data()
        for word in words {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            decoded += Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))!
        }
        #expect(String(decoding: decoded, as: UTF8.self) == subject)
        #expect(EmailTarget.encodedWords("Weekly answers") == "Weekly answers")
    }
}

@Suite struct SplittingTests {
    static let text = SampleText.generate(length: 20_000)

    static func definition(_ url: String) throws -> EndpointDefinition {
        try EndpointDefinition(name: "t", url: url, local: true)
    }

    static let urls = [
        "tgram://123:ABC/-100200", "tgram://123:ABC/-100200?format=markdownv2", "slack://T1/B2/C3", "discord://1/tok",
        "mmost://chat.example/hook", "matrix://tok@matrix.example/!room:example", "workflows://host.example/wf/sig",
    ]

    @Test func twentyThousandCharacterTextRejoinsToTheOriginal() {
        let parts = TextSplitter.split(Self.text, limit: 4096) { $0.utf16.count }
        #expect(parts.count >= 5)
        #expect(parts.joined() == Self.text)
        for part in parts { #expect(part.utf16.count <= 4096) }
    }

    @Test(arguments: urls)
    func everyTargetKeepsPartsWithinItsLimitAndRejoins(url: String) throws {
        let target = try Self.definition(url).makeTarget()
        let parts = target.parts(subject: "Ответы акима — 49-я неделя", body: Self.text)
        #expect(parts.count > 1 || target is SlackTarget)
        #expect(parts.map(\.text).joined() == Self.text)
        for part in parts {
            #expect(part.count == parts.count)
            switch target {
            case let telegram as TelegramTarget:
                let visible = (part.subject.map { $0 + "\n\n" } ?? "") + part.text
                #expect(visible.utf16.count <= TelegramTarget.limit)
                let rendered = telegram.render(part, format: telegram.format)
                #expect(!rendered.hasSuffix("\\"))
            case let slack as SlackTarget:
                let sections = slack.sections(of: part)
                #expect(sections.count > 1)
                #expect(sections.count + 1 <= 50)
                for section in sections { #expect(section.utf16.count <= SlackTarget.sectionLimit) }
            case let discord as DiscordTarget:
                #expect(discord.render(part).utf16.count <= DiscordTarget.limit)
            default:
                break
            }
        }
    }

    @Test func splitsAtWordBoundariesNotInsideWords() {
        let text = (0..<2000).map { "сөз\($0)" }.joined(separator: " ")
        let parts = TextSplitter.split(text, limit: 100) { $0.utf16.count }
        for part in parts.dropLast() { #expect(part.last == " ") }
        #expect(parts.joined() == text)
    }

    @Test func prefersParagraphBreaks() {
        let paragraph = String(repeating: "Жол жөндеу. ", count: 20)
        let text = paragraph + "\n\n" + paragraph + "\n\n" + paragraph
        let parts = TextSplitter.split(text, limit: 300) { $0.utf16.count }
        #expect(parts[0].hasSuffix("\n\n"))
    }

    @Test func escapingEachPartNeverLeavesHalfAnEntity() throws {
        let text = String(repeating: "a&b<c> ", count: 3000)
        let target = try Self.definition("tgram://123:ABC/-100").makeTarget() as! TelegramTarget
        for part in target.parts(subject: nil, body: text) {
            let html = target.render(part, format: .html)
            #expect(html.utf16.count > 0)
            let stripped = html.replacingOccurrences(of: "&amp;", with: "").replacingOccurrences(of: "&lt;", with: "")
                .replacingOccurrences(of: "&gt;", with: "")
            #expect(!stripped.contains("&") && !stripped.contains("<") && !stripped.contains(">"))
        }
    }

    @Test func truncateModeSendsOnePartEndingWithEllipsis() throws {
        let definition = try EndpointDefinition(name: "t", url: "discord://1/tok", overflow: .truncate)
        let parts = definition.makeTarget().parts(subject: nil, body: Self.text)
        #expect(parts.count == 1)
        #expect(parts[0].text.hasSuffix("…"))
        #expect((definition.makeTarget() as! DiscordTarget).render(parts[0]).utf16.count <= DiscordTarget.limit)
    }
}

@Suite struct RetryPolicyTests {
    @Test func followsTheDefaultScheduleWithJitterThenGivesUp() {
        let policy = RetryPolicy()
        #expect(policy.delay(afterFailures: 1, serverWait: nil, rateLimited: false, random: 0.5) == 5)
        #expect(policy.delay(afterFailures: 2, serverWait: nil, rateLimited: false, random: 0) == 270)
        #expect(policy.delay(afterFailures: 2, serverWait: nil, rateLimited: false, random: 0.999_999)! > 329)
        #expect(policy.delay(afterFailures: 9, serverWait: nil, rateLimited: false, random: 0.5) == 86_400)
        #expect(policy.delay(afterFailures: 10, serverWait: nil, rateLimited: false, random: 0.5) == nil)
    }

    @Test func honoursTheServersWait() {
        let policy = RetryPolicy()
        #expect(policy.delay(afterFailures: 3, serverWait: 7, rateLimited: true, random: 0.5) == 7)
        #expect(policy.delay(afterFailures: 1, serverWait: 60, rateLimited: false, random: 0.5) == 60)
        #expect(policy.delay(afterFailures: 1, serverWait: 999_999, rateLimited: true, random: 0.5) == 86_400)
    }

    @Test func parsesDurations() {
        #expect(DurationText.seconds("5s") == 5)
        #expect(DurationText.seconds("30m") == 1800)
        #expect(DurationText.seconds("2h") == 7200)
        #expect(DurationText.seconds("1d") == 86_400)
        #expect(DurationText.seconds("soon") == nil)
    }
}

@Suite struct RateLimiterTests {
    final class ManualTime: @unchecked Sendable {
        private let lock = NSLock()
        private var current = Date(timeIntervalSince1970: 1_800_000_000)
        var now: Date { lock.withLock { current } }
        func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
    }

    @Test func spacesTelegramChatAtOnePerSecondAndGroupsAtTwentyPerMinute() async throws {
        let time = ManualTime()
        let limiter = RateLimiter(now: { time.now })
        let target = TelegramTarget(definition: try EndpointDefinition(name: "t", url: "tgram://1:A/-100"))
        var waits: [TimeInterval] = []
        for _ in 0..<21 {
            waits.append(try #require(await limiter.reserve(target.rateRules, maxWait: 3600)))
        }
        #expect(Array(waits.prefix(3)) == [0, 1, 2])
        #expect(waits[19] == 19)
        #expect(waits[20] == 60)
        #expect(await limiter.reserve(target.rateRules, maxWait: 30) == nil)
    }

    @Test func serverHoldDelaysTheNextSlot() async {
        let time = ManualTime()
        let limiter = RateLimiter(now: { time.now })
        let rule = RateRule(key: "k", limit: 4, interval: 1)
        await limiter.hold(key: "k", until: time.now.addingTimeInterval(5))
        #expect(await limiter.reserve([rule], maxWait: 30) == 5)
    }
}
