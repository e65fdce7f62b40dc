import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small HTTP/1.1 server bound to 127.0.0.1 on a free port, answering with a handler: the stand-in
/// for a chat service in tests, the demo and the benchmark (so the publisher is exercised over real
/// sockets and real libcurl transfers, never a mock). Blocking POSIX sockets, one thread per connection,
/// keep-alive. It only ever listens on loopback.
public final class LoopbackHTTPServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        /// Path with query string.
        public var target: String
        /// Header names lowercased.
        public var headers: [String: String]
        public var body: [UInt8]

        public var bodyText: String { String(decoding: body, as: UTF8.self) }
        public var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]
        /// Wait this long before answering (a slow service).
        public var delay: Duration?

        public init(status: Int = 200, headers: [String: String] = [:], body: [UInt8] = [], delay: Duration? = nil) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delay = delay
        }

        public static func text(_ text: String, status: Int = 200, headers: [String: String] = [:]) -> Response {
            Response(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"].merging(headers) { $1 }, body: Array(text.utf8))
        }

        public static func json(_ text: String, status: Int = 200, headers: [String: String] = [:]) -> Response {
            Response(status: status, headers: ["Content-Type": "application/json"].merging(headers) { $1 }, body: Array(text.utf8))
        }
    }

    public typealias Handler = @Sendable (Request) -> Response

    public let port: Int
    private let listener: Int32
    private let handler: Handler
    private let lock = NSLock()
    private var connections: Set<Int32> = []
    private var stopped = false

    /// Starts listening on 127.0.0.1 (port 0 picks a free one).
    public init(port: Int = 0, handler: @escaping Handler) throws {
        self.handler = handler
        (listener, self.port) = try LoopbackSocket.open(port: port, backlog: 1024)
        let thread = Thread { [self] in self.acceptLoop() }
        thread.name = "loopback-accept"
        thread.start()
    }

    deinit {
        stop()
    }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Stops accepting and closes every open connection.
    public func stop() {
        lock.lock()
        let alreadyStopped = stopped
        stopped = true
        let open = connections
        connections.removeAll()
        lock.unlock()
        guard !alreadyStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            lock.lock()
            let refuse = stopped
            if !refuse { connections.insert(fd) }
            lock.unlock()
            if refuse {
                close(fd)
                return
            }
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in
                self.serve(fd)
                self.lock.lock()
                self.connections.remove(fd)
                self.lock.unlock()
                close(fd)
            }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            // Read the head.
            var headEnd: Int?
            while headEnd == nil {
                headEnd = Self.find(Array("\r\n\r\n".utf8), in: buffer)
                if headEnd != nil { break }
                let count = recv(fd, &chunk, chunk.count, 0)
                if count <= 0 { return }
                buffer.append(contentsOf: chunk[0..<count])
            }
            guard let headEnd else { return }
            let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            let requestLine = lines.removeFirst().split(separator: " ")
            guard requestLine.count >= 2 else { return }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            let bodyStart = headEnd + 4
            while buffer.count < bodyStart + length {
                let count = recv(fd, &chunk, chunk.count, 0)
                if count <= 0 { return }
                buffer.append(contentsOf: chunk[0..<count])
            }
            let request = Request(
                method: String(requestLine[0]), target: String(requestLine[1]), headers: headers,
                body: Array(buffer[bodyStart..<(bodyStart + length)])
            )
            buffer.removeFirst(bodyStart + length)
            let response = handler(request)
            if let delay = response.delay {
                Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
            }
            let closing = headers["connection"]?.lowercased() == "close"
            var text = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
            for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
            text += "Content-Length: \(response.body.count)\r\n"
            if closing { text += "Connection: close\r\n" }
            text += "\r\n"
            let bytes = Array(text.utf8) + response.body
            var sent = 0
            while sent < bytes.count {
                let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if count <= 0 { return }
                sent += count
            }
            if closing { return }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        outer: for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            for offset in 1..<needle.count where haystack[start + offset] != needle[offset] { continue outer }
            return start
        }
        return nil
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 202: "Accepted"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 410: "Gone"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

public enum LoopbackError: Error, Sendable {
    case socket(Int32)
}

/// The listening socket both loopback servers start from.
enum LoopbackSocket {
    /// A listening TCP socket on 127.0.0.1 (port 0 picks a free one): its descriptor and port.
    static func open(port: Int, backlog: Int32) throws -> (Int32, Int) {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw LoopbackError.socket(errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            throw LoopbackError.socket(code)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
