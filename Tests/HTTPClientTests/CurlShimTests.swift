import CCurl
import Testing

@Suite struct CurlShimTests {
    @Test func reportsLibcurlVersionWithOpenSSL() throws {
        let version = String(cString: try #require(curl_version()))
        #expect(version.hasPrefix("libcurl/"))
        #expect(version.contains("OpenSSL"))
    }

    @Test func typedSetoptWrapperAcceptsOptions() throws {
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1) == CURLE_OK)
        #expect(ccurl_easy_setopt_string(handle, CURLOPT_URL, "https://example.invalid/") == CURLE_OK)
    }
}
