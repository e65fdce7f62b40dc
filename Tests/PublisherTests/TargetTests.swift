import Crypto
import Foundation
import LoopbackServers
import Testing
import TyndauCore
import TyndauTestSupport
@testable import Publisher

/// Sends one part of `body` through the target for `url` to a loopback server answering with `answer`.
func exchange(
    _ url: String, subject: String? = "Тақырып", body: String = "Сәлем, <әлем> & Алматы!", plain: Bool = false,
    secrets: [Secret] = [], answer: @escaping @Sendable (LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response
) async throws -> (PartOutcome, LoopbackHTTPServer.Request, any DeliveryTarget) {
    let log = RequestLog()
    let server = try LoopbackHTTPServer { request in
        log.append(request)
        return answer(request)
    }
    defer { server.stop() }
    let definition = try EndpointDefinition(name: "test", url: url, baseURL: server.baseURL, local: true, signingSecrets: secrets)
    let target = definition.makeTarget()
    let part = target.parts(subject: subject, body: body)[0]
    let context = SendContext(deliveryID: 42, messageKey: "digest:2026-W49", endpointName: "test", language: .kk, now: Date(timeIntervalSince1970: 1_800_000_000))
    let response = await sharedClient.perform(target.request(for: part, context: context, plain: plain))
    return (target.classify(response), try #require(log.last), target)
}

@Suite struct TelegramTargetTests {
    @Test func sendsHTMLWithThreadAndStoresMessageID() async throws {
        let (outcome, request, _) = try await exchange("tgram://123456:SECRET-token/-1001234?thread=77") { _ in
            .json(#"{"ok":true,"result":{"message_id":555,"chat":{"id":-1001234}}}"#)
        }
        #expect(outcome == .sent(remoteID: "555", cooldown: nil))
        #expect(request.path == "/bot123456:SECRET-token/sendMessage")
        let json = try #require(request.json)
        #expect(json["parse_mode"] as? String == "HTML")
        #expect(json["text"] as? String == "<b>Тақырып</b>\n\nСәлем, &lt;әлем&gt; &amp; Алматы!")
        #expect(json["message_thread_id"] as? Int == 77)
        #expect(json["chat_id"] as? String == "-1001234")
    }

    @Test func readsRetryAfterFromParametersOn429() async throws {
        let (outcome, _, _) = try await exchange("tgram://1:A/-100") { _ in
            .json(#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 13","parameters":{"retry_after":13}}"#, status: 429)
        }
        #expect(outcome == .retry(wait: 13, reason: "HTTP 429: Too Many Requests: retry after 13", pauseEndpoint: true))
    }

    @Test func asksForAPlainResendWhenEntitiesCannotBeParsed() async throws {
        let (outcome, _, _) = try await exchange("tgram://1:A/-100?format=markdownv2") { _ in
            .json(#"{"ok":false,"error_code":400,"description":"Bad Request: can't parse entities: Character '.' is reserved"}"#, status: 400)
        }
        guard case .resendPlain = outcome else { Issue.record("expected resendPlain, got \(outcome)"); return }
        let (_, plainRequest, _) = try await exchange("tgram://1:A/-100?format=markdownv2", plain: true) { _ in
            .json(#"{"ok":true,"result":{"message_id":1}}"#)
        }
        let json = try #require(plainRequest.json)
        #expect(json["parse_mode"] == nil)
        #expect(json["text"] as? String == "Тақырып\n\nСәлем, <әлем> & Алматы!")
    }

    @Test func retriesServerErrorsAndFailsOtherClientErrors() async throws {
        let (retry, _, _) = try await exchange("tgram://1:A/-100") { _ in .json(#"{"ok":false,"error_code":502,"description":"Bad Gateway"}"#, status: 502) }
        guard case .retry(_, _, false) = retry else { Issue.record("expected retry, got \(retry)"); return }
        let (failed, _, _) = try await exchange("tgram://1:A/-100") { _ in .json(#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#, status: 400) }
        guard case .failed = failed else { Issue.record("expected failed, got \(failed)"); return }
    }
}

@Suite struct ChatTargetTests {
    @Test func slackPostsMrkdwnSectionsAndDetectsArchivedChannels() async throws {
        let (outcome, request, _) = try await exchange("slack://T000/B000/XXXX") { _ in .text("ok") }
        #expect(outcome == .sent(remoteID: nil, cooldown: nil))
        #expect(request.path == "/services/T000/B000/XXXX")
        let blocks = try #require(request.json?["blocks"] as? [[String: Any]])
        #expect(blocks.count == 2)
        #expect((blocks[1]["text"] as? [String: Any])?["text"] as? String == "Сәлем, &lt;әлем&gt; &amp; Алматы!")
        let (gone, _, _) = try await exchange("slack://T000/B000/XXXX") { _ in .text("channel_is_archived", status: 410) }
        guard case .gone = gone else { Issue.record("expected gone, got \(gone)"); return }
        let (limited, _, _) = try await exchange("slack://T000/B000/XXXX") { _ in .text("rate_limited", status: 429, headers: ["Retry-After": "30"]) }
        guard case .retry(30, _, true) = limited else { Issue.record("expected retry 30, got \(limited)"); return }
    }

    @Test func discordWaitsForTheMessageIDAndDisablesMentions() async throws {
        let (outcome, request, _) = try await exchange("discord://1234/webhook-token") { _ in
            .json(#"{"id":"998877","content":"x"}"#, headers: ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "1.5"])
        }
        #expect(outcome == .sent(remoteID: "998877", cooldown: 1.5))
        #expect(request.target == "/api/webhooks/1234/webhook-token?wait=true")
        let json = try #require(request.json)
        #expect((json["allowed_mentions"] as? [String: Any])?["parse"] as? [String] == [])
        #expect(json["content"] as? String == "**Тақырып**\nСәлем, \\<әлем\\> & Алматы\\!")
        let (limited, _, _) = try await exchange("discord://1234/webhook-token") { _ in
            .json(#"{"message":"You are being rate limited.","retry_after":2.5,"global":false}"#, status: 429)
        }
        #expect(limited == .retry(wait: 2.5, reason: "HTTP 429: You are being rate limited.", pauseEndpoint: true))
    }

    @Test func mattermostPostsToItsHook() async throws {
        let (outcome, request, _) = try await exchange("mmost://chat.example/hooktoken?channel=town-hall") { _ in .text("ok") }
        #expect(outcome == .sent(remoteID: nil, cooldown: nil))
        #expect(request.path == "/hooks/hooktoken")
        #expect(request.json?["channel"] as? String == "town-hall")
    }

    @Test func matrixPutsWithATransactionIDDerivedFromTheDelivery() async throws {
        let (outcome, request, _) = try await exchange("matrix://syt_token@matrix.example/!room:matrix.example") { _ in
            .json(#"{"event_id":"$abc"}"#)
        }
        #expect(outcome == .sent(remoteID: "$abc", cooldown: nil))
        #expect(request.method == "PUT")
        #expect(request.path == "/_matrix/client/v3/rooms/%21room%3Amatrix.example/send/m.room.message/tyndau.42.0")
        #expect(request.headers["authorization"] == "Bearer syt_token")
        #expect(request.json?["formatted_body"] as? String == "<b>Тақырып</b><br><br>Сәлем, &lt;әлем&gt; &amp; Алматы!")
        let (limited, _, _) = try await exchange("matrix://syt_token@matrix.example/!room:matrix.example") { _ in
            .json(#"{"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":2000}"#, status: 429)
        }
        guard case .retry(2.0, _, true) = limited else { Issue.record("expected retry 2 s, got \(limited)"); return }
    }

    @Test func teamsPostsAnAdaptiveCard() async throws {
        let (outcome, request, _) = try await exchange("workflows://prod.westeurope.logic.azure.com/wf123/sigABC") { _ in .init(status: 202) }
        #expect(outcome == .sent(remoteID: nil, cooldown: nil))
        #expect(request.target.hasPrefix("/workflows/wf123/triggers/manual/paths/invoke?api-version=2016-06-01"))
        #expect(request.target.hasSuffix("&sig=sigABC"))
        let attachment = try #require((request.json?["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
        let card = try #require(attachment["content"] as? [String: Any])
        #expect(card["type"] as? String == "AdaptiveCard")
    }
}

@Suite struct WebhookTargetTests {
    @Test func reproducesTheStandardWebhooksTestVector() throws {
        let signer = try StandardWebhookSigner(secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
        let signature = signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func signsWithEverySecretDuringRotation() throws {
        let signer = try StandardWebhookSigner(secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_" + Data("second-key".utf8).base64EncodedString()])
        let signature = signer.signature(id: "msg_1", timestamp: 1, body: [])
        #expect(signature.split(separator: " ").count == 2)
        #expect(throws: TyndauError.self) { try StandardWebhookSigner(secrets: ["whsec_!!!"]) }
    }

    @Test func sendsASignedBodyAReceiverCanVerify() async throws {
        let secret = "whsec_" + Data("a-shared-secret-for-tests".utf8).base64EncodedString()
        let (outcome, request, _) = try await exchange("json://receiver.example/hooks/tyndau", secrets: [Secret(secret)]) { _ in .init(status: 204) }
        #expect(outcome == .sent(remoteID: nil, cooldown: nil))
        #expect(request.path == "/hooks/tyndau")
        let id = try #require(request.headers["webhook-id"])
        let timestamp = try #require(request.headers["webhook-timestamp"])
        #expect(id == "msg_tyndau_42")
        #expect(timestamp == "1800000000")
        let content = Array("\(id).\(timestamp).".utf8) + request.body
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: Data("a-shared-secret-for-tests".utf8)))
        #expect(request.headers["webhook-signature"] == "v1," + Data(mac).base64EncodedString())
        let data = try #require(request.json?["data"] as? [String: Any])
        #expect(data["text"] as? String == "Сәлем, <әлем> & Алматы!")
        #expect(data["message_key"] as? String == "digest:2026-W49")
    }

    @Test func classifiesGoneAndPermanentAnswers() async throws {
        let (gone, _, _) = try await exchange("json://receiver.example/x") { _ in .text("gone", status: 410) }
        guard case .gone = gone else { Issue.record("expected gone, got \(gone)"); return }
        let (failed, _, _) = try await exchange("json://receiver.example/x") { _ in .text("bad", status: 422) }
        guard case .failed = failed else { Issue.record("expected failed, got \(failed)"); return }
        let (timeout, _, _) = try await exchange("json://receiver.example/x") { _ in .text("busy", status: 503, headers: ["Retry-After": "120"]) }
        #expect(timeout == .retry(wait: 120, reason: "HTTP 503: busy", pauseEndpoint: false))
    }
}

@Suite struct EndpointDefinitionTests {
    @Test func parsesAppriseURLsAndRedactsSecrets() throws {
        let telegram = try EndpointDefinition(name: "channel", url: "tgram://123456:AAH-secret/-1001234:15")
        #expect(telegram.kind == .telegram)
        #expect(telegram.redactedURL == "tgram://***/-1001234:15")
        #expect(!telegram.description.contains("AAH-secret"))
        #expect(telegram.redact("POST /bot123456:AAH-secret/sendMessage failed") == "POST /bot***/sendMessage failed")
        #expect((telegram.makeTarget() as! TelegramTarget).threadID == 15)

        let mail = try EndpointDefinition(name: "mail", url: "mailtos://user:p%40ss@smtp.example?to=a@b.kz,c@d.kz&from=akimat@example.kz")
        #expect(mail.password?.value == "p@ss")
        #expect(mail.redactedURL.contains("user:***@smtp.example"))
        #expect(!mail.redactedURL.contains("p@ss"))
        #expect((mail.makeTarget() as! EmailTarget).recipients == ["a@b.kz", "c@d.kz"])

        let matrix = try EndpointDefinition(name: "m", url: "matrixs://syt_secret_token@matrix.example/#akimat:matrix.example")
        #expect(matrix.redactedURL == "matrixs://***@matrix.example/#akimat:matrix.example")
        #expect((matrix.makeTarget() as! MatrixTarget).room == "#akimat:matrix.example")
    }

    @Test func everyInterpolatedValueIsMaskedInAnyKindOfURL() throws {
        let environment = ["HOOK_SECRET": "path-secret-123", "HOOK_KEY": "query-key-456", "HOOK_PASS": "pass-789"]
        let raw = "jsons://bot:${HOOK_PASS}@receiver.example/x/${HOOK_SECRET}?key=${HOOK_KEY}&mode=full"
        let expanded = try EndpointDefinition.expanding(raw, environment: environment)
        #expect(expanded.url == "jsons://bot:pass-789@receiver.example/x/path-secret-123?key=query-key-456&mode=full")
        let webhook = try EndpointDefinition(
            name: "hook", url: expanded.url, urlTemplate: expanded.template, interpolatedValues: expanded.values)
        #expect(webhook.redactedURL == "jsons://bot:***@receiver.example/x/***?key=***&mode=full")
        for shown in [webhook.redactedURL, webhook.description, webhook.redact("HTTP 404: no route /x/path-secret-123?key=query-key-456")] {
            for secret in environment.values { #expect(!shown.contains(secret), "\(shown)") }
        }
        #expect(webhook.redact("echo /x/path%2Dsecret%2D123") == "echo /x/***")
        // The same for a kind whose parts are not secrets by themselves (the chat id, the host).
        let chat = try EndpointDefinition.expanding("tgram://${TOKEN}/${CHAT}", environment: ["TOKEN": "1:AAH-token", "CHAT": "-100777"])
        let telegram = try EndpointDefinition(name: "t", url: chat.url, urlTemplate: chat.template, interpolatedValues: chat.values)
        #expect(telegram.redactedURL == "tgram://***/***")
    }

    @Test func webhookCredentialsAndQueryAreSentNotDropped() async throws {
        let (outcome, request, _) = try await exchange("json://bot:s3cret-pass@receiver.example/hooks/in?key=abc-123&x=1") { _ in
            .init(status: 204)
        }
        #expect(outcome == .sent(remoteID: nil, cooldown: nil))
        #expect(request.target == "/hooks/in?key=abc-123&x=1")
        #expect(request.headers["authorization"] == "Basic " + Data("bot:s3cret-pass".utf8).base64EncodedString())
    }

    @Test func credentialsAKindWouldNotSendAreRefused() {
        for url in ["slack://user:pw@T1/B2/XXXX", "discord://user:pw@1234/token", "mmosts://user:pw@chat.example/hook"] {
            #expect(throws: TyndauError.self, "\(url)") { try EndpointDefinition(name: "x", url: url) }
        }
    }

    /// Found by `make fuzz` (endpoint-url): an option without a name (`?=`) crashed the parser, and
    /// with it `tyndau config check` and every command that reads the configuration.
    @Test func rejectsAQueryOptionWithoutAName() throws {
        for url in ["json://host.example/x?=", "jsons://host.example/x?a=1&=2", "tgram://1:A/-100?=&format=html"] {
            #expect(throws: TyndauError.configuration("endpoints[0].url", "an option in the query has no name"), "\(url)") {
                try EndpointDefinition(name: "x", url: url, fieldPath: "endpoints[0].url")
            }
        }
        #expect(try EndpointDefinition(name: "x", url: "jsons://host.example/x?a=&b").options == ["a": "", "b": ""])
    }

    @Test func rejectsMalformedURLsWithTheField() {
        #expect(throws: TyndauError.configuration("endpoints[0].url", "expected tgram://BOT_TOKEN/CHAT_ID")) {
            try EndpointDefinition(name: "x", url: "tgram://nochat", fieldPath: "endpoints[0].url")
        }
        #expect(throws: TyndauError.self) { try EndpointDefinition(name: "x", url: "ftp://host/x") }
        #expect(throws: TyndauError.self) { try EndpointDefinition(name: "x", url: "json://host/x") }
        #expect(throws: TyndauError.self) { try EndpointDefinition(name: "x", url: "mailto://smtp.example") }
    }
}
