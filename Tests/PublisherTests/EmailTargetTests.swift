import Foundation
import Testing
import TyndauTestSupport
import TyndauCore
@testable import Publisher

@Suite struct EmailTargetTests {
    @Test func submitsAUTF8MessageWithEncodedSubjectAndStableMessageID() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let definition = try EndpointDefinition(
            name: "residents", url: "mailto://127.0.0.1:\(sink.port)?to=resident@example.kz&from=akimat@bostandyq.example.kz&name=Әкімдік",
            local: true
        )
        let target = definition.makeTarget() as! EmailTarget
        let body = "Құрметті тұрғын!\nВаш вопрос рассмотрен: освещение во дворе восстановят до 15 декабря.\n" + SampleText.special
        let part = target.parts(subject: "Жауап: жарық — ответ акимата", body: body)[0]
        let context = SendContext(deliveryID: 314, messageKey: "answer:1", endpointName: "residents", language: .kk, now: Date(timeIntervalSince1970: 1_800_000_000))
        let response = await sharedClient.perform(target.request(for: part, context: context, plain: false))
        #expect(target.classify(response) == .sent(remoteID: nil, cooldown: nil))
        #expect(response.status == 250)

        let messages = try sink.messages()
        try #require(messages.count == 1)
        let message = messages[0]
        #expect(message.contains("X-Envelope-From: akimat@bostandyq.example.kz"))
        #expect(message.contains("X-Envelope-To: resident@example.kz"))
        #expect(message.contains("Message-ID: <tyndau.delivery.314@bostandyq.example.kz>"))
        #expect(message.contains("Subject: =?UTF-8?B?"))
        #expect(message.contains("Content-Type: text/plain; charset=UTF-8"))
        #expect(message.contains("Date: Fri, 15 Jan 2027 08:00:00 +0000"))
        let encodedBody = try #require(message.components(separatedBy: "\r\n\r\n").last)
        let decoded = Data(base64Encoded: encodedBody.replacingOccurrences(of: "\r\n", with: ""))
        #expect(decoded.map { String(decoding: $0, as: UTF8.self) } == body.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test func requiresSTARTTLSUnlessTheEndpointIsLocal() throws {
        let remote = try EndpointDefinition(name: "m", url: "mailto://smtp.example.kz?to=a@b.kz")
        let local = try EndpointDefinition(name: "m", url: "mailto://127.0.0.1:2525?to=a@b.kz", local: true)
        let context = SendContext(deliveryID: 1, messageKey: "k", endpointName: "m", language: nil, now: Date())
        let part = MessagePart(index: 0, count: 1, subject: "s", text: "t")
        #expect(remote.makeTarget().request(for: part, context: context, plain: false).mail?.requireTLS == true)
        #expect(remote.makeTarget().request(for: part, context: context, plain: false).url == "smtp://smtp.example.kz:587")
        #expect(local.makeTarget().request(for: part, context: context, plain: false).mail?.requireTLS == false)
    }

    @Test func refusesARemoteMailServerResolvingToLoopback() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let definition = try EndpointDefinition(name: "m", url: "mailto://127.0.0.1:\(sink.port)?to=a@b.kz")
        let target = definition.makeTarget()
        let context = SendContext(deliveryID: 1, messageKey: "k", endpointName: "m", language: nil, now: Date())
        let response = await sharedClient.perform(target.request(for: target.parts(subject: "s", body: "t")[0], context: context, plain: false))
        #expect(response.refusedAddress == "127.0.0.1")
        guard case .failed = target.classify(response) else { Issue.record("expected failed"); return }
        #expect(try sink.messages().isEmpty)
    }
}
