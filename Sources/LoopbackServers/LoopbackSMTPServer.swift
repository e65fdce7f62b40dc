import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal SMTP receiver on 127.0.0.1 for the demo: it accepts every message (no TLS, no
/// authentication) and keeps what arrived, so personal notices can be shown going through the real
/// outbox and libcurl's SMTP client. Tests use a real SMTP server (aiosmtpd) instead.
public final class LoopbackSMTPServer: @unchecked Sendable {
    /// One message as it arrived.
    public struct Message: Sendable {
        public var from: String
        public var recipients: [String]
        /// The raw RFC 5322 message (headers and body, dot-unstuffed).
        public var data: String
    }

    public let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var stored: [Message] = []
    private var stopped = false

    public init() throws {
        (listener, port) = try LoopbackSocket.open(port: 0, backlog: 64)
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "loopback-smtp"
        thread.start()
    }

    deinit { stop() }

    public var messages: [Message] { lock.withLock { stored } }

    public func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in
                serve(fd)
                close(fd)
            }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        var reader = LineReader(fd: fd)
        func reply(_ line: String) -> Bool {
            let bytes = Array((line + "\r\n").utf8)
            return bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
        }
        guard reply("220 tyndau-demo ESMTP") else { return }
        var from = ""
        var recipients: [String] = []
        while let line = reader.next() {
            let command = line.prefix(4).uppercased()
            switch command {
            case "EHLO":
                _ = reply("250-tyndau-demo") && reply("250 8BITMIME")
            case "HELO", "RSET", "NOOP":
                if command == "RSET" { from = ""; recipients = [] }
                _ = reply("250 OK")
            case "MAIL":
                from = Self.address(line)
                _ = reply("250 OK")
            case "RCPT":
                recipients.append(Self.address(line))
                _ = reply("250 OK")
            case "DATA":
                guard reply("354 End data with <CR><LF>.<CR><LF>") else { return }
                var lines: [String] = []
                while let dataLine = reader.next(), dataLine != "." {
                    lines.append(dataLine.hasPrefix("..") ? String(dataLine.dropFirst()) : dataLine)
                }
                let message = Message(from: from, recipients: recipients, data: lines.joined(separator: "\r\n"))
                lock.withLock { stored.append(message) }
                from = ""
                recipients = []
                _ = reply("250 OK: queued")
            case "QUIT":
                _ = reply("221 Bye")
                return
            default:
                _ = reply("502 Command not implemented")
            }
        }
    }

    private static func address(_ line: String) -> String {
        guard let open = line.firstIndex(of: "<"), let close = line.lastIndex(of: ">"), open < close else { return "" }
        return String(line[line.index(after: open)..<close])
    }

    /// CRLF-terminated lines from a socket.
    private struct LineReader {
        var fd: Int32
        var buffer: [UInt8] = []

        mutating func next() -> String? {
            var chunk = [UInt8](repeating: 0, count: 16_384)
            while true {
                if let index = buffer.firstIndex(of: 10) {
                    var line = Array(buffer[..<index])
                    if line.last == 13 { line.removeLast() }
                    buffer.removeFirst(index + 1)
                    return String(decoding: line, as: UTF8.self)
                }
                let count = recv(fd, &chunk, chunk.count, 0)
                if count <= 0 { return nil }
                buffer.append(contentsOf: chunk[0..<count])
            }
        }
    }
}
