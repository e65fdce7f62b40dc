import Foundation
import Publisher
import TyndauCore

extension FuzzTargets {
    /// What `${NAME}` references in the fuzzed URLs and configurations expand to. None holds `*`, so
    /// masking (`***`) can never make a new occurrence of a value.
    package static let environment = [
        "HOOK_SECRET": "hs-7Qx9Lk2M", "TG_TOKEN": "123456:AAE-tok3n_Z", "SMTP_PASSWORD": "pw-Ab9Zq3",
        "TYNDAU_DB_PASSWORD": "db-Pq4Rw8", "BOT_SECRET": "wh-Zt5Yu1",
    ]

    /// An endpoint URL as `endpoints[].url` gives it (with `${NAME}` references), parsed, shown and
    /// turned into its target: no crash, and no expanded value in anything shown.
    @Sendable public static func endpointURL(_ data: Data) {
        let raw = text(data)
        guard let expanded = try? EndpointDefinition.expanding(raw, environment: environment) else { return }
        for local in [false, true] {
            guard
                let definition = try? EndpointDefinition(
                    name: "fuzz", url: expanded.url, local: local, urlTemplate: expanded.template,
                    interpolatedValues: expanded.values)
            else { continue }
            let shown = [definition.redactedURL, definition.description, definition.redact(expanded.url), definition.redact(raw)]
            for value in expanded.values where !value.isEmpty {
                for text in shown {
                    require(text.firstRange(of: value) == nil, "expanded value shown in \(text.debugDescription)")
                }
            }
            _ = definition.endpoint
            _ = definition.acceptsBroadcasts
            _ = definition.makeTarget()
        }
    }

    /// The splitter at several limits in every unit, and every markup escaper on every part.
    @Sendable public static func formatting(_ data: Data) {
        let input = text(data)
        let costs: [(String, (Character) -> Int, (Substring) -> String)] = [
            ("utf16", TextUnit.utf16.size(of:), String.init),
            ("scalars", TextUnit.scalars.size(of:), String.init),
            ("utf8", TextUnit.utf8.size(of:), String.init),
            ("slack", Markup.slackCost, Markup.slack),
            ("chat-markdown", { Markup.chatMarkdownCost($0, unit: .utf16) }, Markup.chatMarkdown),
        ]
        for limit in [1, 2, 5, 64, 4096] {
            for (name, cost, render) in costs {
                let parts = TextSplitter.split(input, limit: limit, cost: cost)
                require(parts.joined() == input, "\(name)/\(limit): parts do not rejoin to the text")
                for part in parts {
                    require(!part.isEmpty, "\(name)/\(limit): empty part")
                    let size = TextSplitter.measure(part, cost: cost)
                    require(size <= limit || part.count == 1, "\(name)/\(limit): part of size \(size)")
                    if name == "slack" || name == "chat-markdown" {
                        require(render(part).utf16.count == size, "\(name)/\(limit): cost \(size) but rendered \(render(part).utf16.count)")
                    }
                }
            }
        }
        checkEntities(Markup.html(input), entities: ["&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\""], original: input, name: "html")
        checkEntities(Markup.slack(input), entities: ["&amp;": "&", "&lt;": "<", "&gt;": ">"], original: input, name: "slack")
        checkBackslashes(Markup.telegramMarkdownV2(input), reserved: Markup.telegramMarkdownV2Reserved, original: input, name: "MarkdownV2")
        checkBackslashes(Markup.chatMarkdown(input), reserved: Markup.chatMarkdownReserved, original: input, name: "chat Markdown")
    }

    /// Read scalar by scalar, as the receiving service's parser does: no markup character is left bare,
    /// and decoding the entities gives back the text.
    static func checkEntities(_ output: String, entities: [String: String], original: String, name: String) {
        let bare = Set(entities.values.compactMap(\.unicodeScalars.first))
        var decoded = String.UnicodeScalarView()
        var rest = Substring(output).unicodeScalars[...]
        while let scalar = rest.first {
            if scalar == "&", let (entity, value) = entities.first(where: { rest.starts(with: $0.key.unicodeScalars) }) {
                decoded.append(contentsOf: value.unicodeScalars)
                rest = rest.dropFirst(entity.unicodeScalars.count)
                continue
            }
            require(!bare.contains(scalar), "\(name): bare \(scalar) in \(output.debugDescription)")
            decoded.append(scalar)
            rest = rest.dropFirst()
        }
        require(String(decoded) == original, "\(name): escaping is not reversible")
    }

    /// Read scalar by scalar: every reserved character follows a backslash that escapes it.
    static func checkBackslashes(_ output: String, reserved: Set<Character>, original: String, name: String) {
        let reservedScalars = Set(reserved.compactMap(\.unicodeScalars.first))
        var decoded = String.UnicodeScalarView()
        var scalars = output.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            if scalar == "\\" {
                guard let escaped = scalars.next() else { return require(false, "\(name): trailing backslash") }
                require(reservedScalars.contains(escaped), "\(name): needless escape of \(escaped)")
                decoded.append(escaped)
                continue
            }
            require(!reservedScalars.contains(scalar), "\(name): bare \(scalar) in \(output.debugDescription)")
            decoded.append(scalar)
        }
        require(String(decoded) == original, "\(name): escaping is not reversible")
    }
}
