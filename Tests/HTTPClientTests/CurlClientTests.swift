import CCurl
import Foundation
import HTTPClient
import LoopbackServers
import Testing
import TyndauTestSupport

@Suite struct CurlClientTests {
    @Test func postsJSONAndCapturesStatusBodyAndHeaders() async throws {
        let log = RequestLog()
        let server = try LoopbackHTTPServer { request in
            log.append(request)
            return .json("{\"ok\":true}", status: 201, headers: ["X-Echo": request.headers["x-test"] ?? ""])
        }
        defer { server.stop() }
        let response = await sharedClient.perform(.json(url: server.baseURL + "/hook", body: Array("{\"a\":1}".utf8), headers: ["X-Test: yes"], allowLocal: true))
        #expect(response.curlCode == 0)
        #expect(response.status == 201)
        #expect(response.bodyText == "{\"ok\":true}")
        #expect(response.headers["x-echo"] == "yes")
        #expect(log.last?.method == "POST")
        #expect(log.last?.bodyText == "{\"a\":1}")
        #expect(log.last?.headers["content-type"] == "application/json; charset=utf-8")
    }

    @Test func refusesLoopbackAddressesUnlessTheEndpointIsLocal() async throws {
        let log = RequestLog()
        let server = try LoopbackHTTPServer { request in
            log.append(request)
            return .text("ok")
        }
        defer { server.stop() }
        for host in ["127.0.0.1", "localhost", "[::127.0.0.1]", "[::ffff:0:127.0.0.1]", "[::ffff:127.0.0.1]", "[64:ff9b::7f00:1]"] {
            let response = await sharedClient.perform(TransferRequest(method: .get, url: "https://\(host):\(server.port)/", allowLocal: false))
            #expect(response.curlCode != 0)
            #expect(response.refusedAddress != nil)
            #expect(response.errorMessage?.contains("internal address") == true)
        }
        #expect(log.all.isEmpty)
    }

    @Test func refusesPlainHTTPUnlessTheEndpointIsLocal() async {
        let response = await sharedClient.perform(TransferRequest(method: .get, url: "http://example.com/", allowLocal: false))
        #expect(response.curlCode == Int(CURLE_UNSUPPORTED_PROTOCOL.rawValue))
    }

    @Test(arguments: [
        ("127.0.0.1", true), ("10.1.2.3", true), ("172.16.0.1", true), ("172.32.0.1", false), ("192.168.1.1", true),
        ("169.254.169.254", true), ("100.64.0.1", true), ("0.0.0.0", true), ("8.8.8.8", false), ("::1", true),
        ("fe80::1", true), ("fc00::1", true), ("fd00:ec2::254", true), ("::ffff:127.0.0.1", true),
        ("::ffff:8.8.8.8", false), ("2001:4860:4860::8888", false), ("224.0.0.1", true),
        // IPv4 inside IPv6, however written: compatible, translated, NAT64, 6to4; and forms without public use.
        ("::127.0.0.1", true), ("::7f00:1", true), ("::10.0.0.1", true), ("::ffff:0:127.0.0.1", true),
        ("::ffff:0:169.254.169.254", true), ("64:ff9b::127.0.0.1", true), ("64:ff9b::8.8.8.8", false),
        ("64:ff9b:1::8.8.8.8", true), ("2002:7f00:1::", true), ("2002:a9fe:a9fe::1", true), ("2002:808:808::1", false),
        ("2001:0:4136:e378::1", true), ("2001:db8::1", true), ("100::1", true), ("fec0::1", true), ("::", true),
        ("0:0:0:0:0:ffff:7f00:1", true), ("::8.8.8.8", false),
    ])
    func classifiesInternalAddresses(address: String, isInternal: Bool) {
        #expect(ccurl_is_internal_address(address) == (isInternal ? 1 : 0))
    }

    @Test func readsRetryAfterAndClampsIt() async throws {
        let server = try LoopbackHTTPServer { request in
            .text("slow down", status: 429, headers: ["Retry-After": request.path == "/long" ? "999999" : "7"])
        }
        defer { server.stop() }
        let short = await sharedClient.perform(TransferRequest(method: .get, url: server.baseURL + "/short", allowLocal: true))
        #expect(short.status == 429)
        #expect(short.retryAfter == 7)
        let long = await sharedClient.perform(TransferRequest(method: .get, url: server.baseURL + "/long", allowLocal: true))
        #expect(long.retryAfter == 86_400)
    }

    @Test func doesNotFollowRedirects() async throws {
        let log = RequestLog()
        let server = try LoopbackHTTPServer { request in
            log.append(request)
            return .text("moved", status: 302, headers: ["Location": "http://127.0.0.1:1/elsewhere"])
        }
        defer { server.stop() }
        let response = await sharedClient.perform(TransferRequest(method: .get, url: server.baseURL + "/", allowLocal: true))
        #expect(response.status == 302)
        #expect(log.all.count == 1)
    }

    @Test func abortsAResponseSlowerThanTheTotalTimeout() async throws {
        let client = CurlClient(profile: .init(connectTimeout: .seconds(1), totalTimeout: .milliseconds(500), lowSpeedTime: .seconds(1)))
        defer { client.shutdown() }
        let server = try LoopbackHTTPServer { _ in .init(status: 200, body: Array("late".utf8), delay: .seconds(2)) }
        defer { server.stop() }
        let response = await client.perform(TransferRequest(method: .get, url: server.baseURL + "/", allowLocal: true))
        #expect(response.curlCode == Int(CURLE_OPERATION_TIMEDOUT.rawValue))
        #expect(response.latencyMs < 1900)
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        let server = try LoopbackHTTPServer { _ in .init(status: 200, delay: .seconds(3)) }
        defer { server.stop() }
        let task = Task { await sharedClient.perform(TransferRequest(method: .get, url: server.baseURL + "/", allowLocal: true)) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let response = await task.value
        #expect(response.cancelled)
        #expect(response.latencyMs < 2500)
    }

    @Test func runsHundredsOfTransfersConcurrently() async throws {
        let server = try LoopbackHTTPServer { request in .text(request.path) }
        defer { server.stop() }
        let paths = await withTaskGroup(of: String.self) { group in
            for index in 0..<300 {
                group.addTask {
                    await sharedClient.perform(TransferRequest(method: .get, url: server.baseURL + "/\(index)", allowLocal: true)).bodyText
                }
            }
            var seen: [String] = []
            for await path in group { seen.append(path) }
            return seen
        }
        #expect(Set(paths) == Set((0..<300).map { "/\($0)" }))
    }
}
