import Foundation
import Testing
import TyndauCore
@testable import Publisher

/// A real SMTP server: Python's aiosmtpd (installed into `.build/smtp-venv` by `make test`), started on
/// a free loopback port; every accepted message is written to a folder as `N.eml` with its envelope.
final class SMTPSink: @unchecked Sendable {
    static let script = #"""
    import asyncio, os, socket, sys
    from aiosmtpd.controller import Controller
    folder = sys.argv[1]
    class Save:
        count = 0
        async def handle_DATA(self, server, session, envelope):
            Save.count += 1
            with open(os.path.join(folder, f"{Save.count}.eml"), "wb") as f:
                f.write(("X-Envelope-From: " + envelope.mail_from + "\r\n").encode())
                f.write(("X-Envelope-To: " + ",".join(envelope.rcpt_tos) + "\r\n").encode())
                f.write(envelope.original_content)
            return "250 Message accepted for delivery"
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    controller = Controller(Save(), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"READY {port}", flush=True)
    sys.stdin.read()
    controller.stop()
    """#

    let process = Process()
    let input = Pipe()
    let folder: URL
    let port: Int

    init() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let python = root.appendingPathComponent(".build/smtp-venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw SinkMissing(reason: "aiosmtpd is not installed: run `make test` (it creates .build/smtp-venv)")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tyndau-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let output = Pipe()
        process.executableURL = python
        process.arguments = ["-c", Self.script, folder.path]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw SinkMissing(reason: "SMTP sink did not start: \(line)")
        }
        self.port = port
    }

    struct SinkMissing: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    func messages() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map {
            try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)
        }
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}

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
