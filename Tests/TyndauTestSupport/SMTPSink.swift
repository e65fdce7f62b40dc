import Foundation

/// A real SMTP server: Python's aiosmtpd (installed into `.build/smtp-venv` by `make test`), started on
/// a free loopback port; every accepted message is written to a folder as `N.eml` with its envelope.
public final class SMTPSink: @unchecked Sendable {
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
    public let folder: URL
    public let port: Int

    public init() throws {
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

    public struct SinkMissing: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public func messages() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map {
            try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)
        }
    }

    public func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}
