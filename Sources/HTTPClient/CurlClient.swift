import CCurl
import Foundation

/// The only way out for the publisher and the Telegram bot: libcurl's multi interface driven by one
/// dedicated thread, so hundreds of transfers run at once over reused connections (HTTP/1.1
/// keep-alive, HTTP/2 where offered), exposed as `async` calls.
///
/// Every transfer gets the same safe profile: no signals, connect timeout, total timeout, low-speed
/// abort, https only (http and internal addresses only for endpoints marked local), no redirects, TLS
/// verification on, no proxy from the environment, and an SSRF guard that checks the exact address
/// curl connects to. curl types never leave this module.
public final class CurlClient: @unchecked Sendable {
    /// Timeouts of the safe profile; tests shorten them to exercise slow servers.
    public struct Profile: Sendable, Hashable {
        public var connectTimeout: Duration
        public var totalTimeout: Duration
        /// Abort when fewer than 1 byte/s flows for this long.
        public var lowSpeedTime: Duration
        public var maxConnections: Int

        public init(connectTimeout: Duration = .seconds(10), totalTimeout: Duration = .seconds(30), lowSpeedTime: Duration = .seconds(15), maxConnections: Int = 256) {
            self.connectTimeout = connectTimeout
            self.totalTimeout = totalTimeout
            self.lowSpeedTime = lowSpeedTime
            self.maxConnections = maxConnections
        }
    }

    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    public let profile: Profile
    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    private var pending: [Transfer] = []
    private var cancelRequests: [Transfer] = []
    private var stopping = false
    private var thread: Thread?
    private let stopped = DispatchSemaphore(value: 0)

    public init(profile: Profile = Profile()) {
        precondition(Self.globalInit == CURLE_OK, "curl_global_init failed")
        self.profile = profile
        guard let multi = curl_multi_init() else { preconditionFailure("curl_multi_init failed") }
        self.multi = multi
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, profile.maxConnections)
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        let thread = Thread { [self] in self.drive() }
        thread.name = "tyndau-curl"
        self.thread = thread
        thread.start()
    }

    deinit {
        curl_multi_cleanup(multi)
    }

    /// Stops the transfer thread once running transfers finish; call before dropping the client.
    public func shutdown() {
        lock.lock()
        let alreadyStopping = stopping
        stopping = true
        lock.unlock()
        guard !alreadyStopping else { return }
        curl_multi_wakeup(multi)
        stopped.wait()
    }

    /// Performs one transfer. Never throws: a failed transfer is a response with a curl code, which the
    /// targets classify. Cancelling the calling task aborts the transfer (`cancelled` is set).
    public func perform(_ request: TransferRequest) async -> TransferResponse {
        let transfer: Transfer
        do {
            transfer = try Transfer(request: request, profile: profile)
        } catch let failure as TransferSetupFailure {
            return TransferResponse(curlCode: Int(failure.code.rawValue), errorMessage: failure.message)
        } catch {
            return TransferResponse(curlCode: Int(CURLE_FAILED_INIT.rawValue), errorMessage: "setup failed")
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<TransferResponse, Never>) in
                transfer.continuation = continuation
                lock.lock()
                let refuse = stopping
                if !refuse { pending.append(transfer) }
                lock.unlock()
                if refuse {
                    transfer.finish(TransferResponse(curlCode: Int(CURLE_ABORTED_BY_CALLBACK.rawValue), errorMessage: "client stopped", cancelled: true))
                } else {
                    curl_multi_wakeup(multi)
                }
            }
        } onCancel: {
            lock.lock()
            cancelRequests.append(transfer)
            lock.unlock()
            curl_multi_wakeup(multi)
        }
    }

    // MARK: - The transfer thread

    private func drive() {
        var active: [UnsafeMutableRawPointer: Transfer] = [:]
        while true {
            lock.lock()
            let added = pending
            pending.removeAll(keepingCapacity: true)
            let cancels = cancelRequests
            cancelRequests.removeAll(keepingCapacity: true)
            let stop = stopping
            lock.unlock()

            for transfer in added {
                if transfer.cancelRequested {
                    transfer.finish(transfer.response(code: CURLE_ABORTED_BY_CALLBACK, cancelled: true))
                } else if curl_multi_add_handle(multi, transfer.handle) == CURLM_OK {
                    active[transfer.handle] = transfer
                } else {
                    transfer.finish(TransferResponse(curlCode: Int(CURLE_FAILED_INIT.rawValue), errorMessage: "cannot add transfer"))
                }
            }
            for transfer in cancels {
                if active.removeValue(forKey: transfer.handle) != nil {
                    curl_multi_remove_handle(multi, transfer.handle)
                    transfer.finish(transfer.response(code: CURLE_ABORTED_BY_CALLBACK, cancelled: true))
                } else {
                    // Not added yet (still pending) or already finished: refused when it is added.
                    transfer.cancelRequested = true
                }
            }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard ccurl_msg_is_done(message) != 0, let handle = ccurl_msg_handle(message) else { continue }
                let code = ccurl_msg_result(message)
                curl_multi_remove_handle(multi, handle)
                if let transfer = active.removeValue(forKey: handle) {
                    transfer.finish(transfer.response(code: code, cancelled: false))
                }
            }
            if stop && active.isEmpty {
                lock.lock()
                let late = pending
                pending.removeAll()
                lock.unlock()
                for transfer in late {
                    transfer.finish(TransferResponse(curlCode: Int(CURLE_ABORTED_BY_CALLBACK.rawValue), errorMessage: "client stopped", cancelled: true))
                }
                stopped.signal()
                return
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }
}

struct TransferSetupFailure: Error {
    var code: CURLcode
    var message: String
}

/// One easy handle with everything that must live as long as it: header lists, the error buffer, the
/// SSRF guard, the captured body, the upload cursor and the continuation to resume.
final class Transfer: @unchecked Sendable {
    static let bodyLimit = 64 * 1024

    let handle: UnsafeMutableRawPointer
    var continuation: CheckedContinuation<TransferResponse, Never>?
    var cancelRequested = false
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var recipientList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private let guardState = UnsafeMutablePointer<ccurl_guard>.allocate(capacity: 1)
    private var upload: [UInt8] = []
    private var uploadOffset = 0
    private var responseBody: [UInt8] = []
    private var responseHeaders: [String: String] = [:]
    private let started = ContinuousClock.now

    init(request: TransferRequest, profile: CurlClient.Profile) throws {
        guard let handle = curl_easy_init() else { throw TransferSetupFailure(code: CURLE_FAILED_INIT, message: "curl_easy_init failed") }
        self.handle = handle
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        guardState.initialize(to: ccurl_guard())
        guardState.pointee.allow_private = request.allowLocal ? 1 : 0
        try configure(request, profile)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        curl_slist_free_all(recipientList)
        errorBuffer.deallocate()
        guardState.deallocate()
    }

    private func check(_ code: CURLcode, _ what: String) throws {
        guard code == CURLE_OK else {
            throw TransferSetupFailure(code: code, message: "\(what): \(String(cString: curl_easy_strerror(code)))")
        }
    }

    private func configure(_ request: TransferRequest, _ profile: CurlClient.Profile) throws {
        let me = Unmanaged.passUnretained(self).toOpaque()
        try check(ccurl_easy_setopt_string(handle, CURLOPT_URL, request.url), "url")
        try check(ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "nosignal")
        try check(ccurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(profile.connectTimeout)), "connect timeout")
        try check(ccurl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(profile.totalTimeout)), "timeout")
        try check(ccurl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1), "low speed")
        try check(ccurl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, Self.milliseconds(profile.lowSpeedTime) / 1000)), "low speed")
        try check(ccurl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0), "redirects")
        try check(ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1), "verify peer")
        try check(ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2), "verify host")
        try check(ccurl_easy_setopt_string(handle, CURLOPT_PROXY, ""), "proxy")
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "error buffer")
        try check(ccurl_install_guard(handle, guardState), "ssrf guard")
        try check(ccurl_easy_setopt_private(handle, me), "private")

        let protocols: String
        if request.mail != nil {
            protocols = request.allowLocal ? "smtp,smtps" : (request.url.hasPrefix("smtps:") ? "smtps" : "smtp")
        } else {
            protocols = request.allowLocal ? "http,https" : "https"
        }
        try check(ccurl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, protocols), "protocols")
        try check(ccurl_easy_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, protocols), "protocols")

        let write: ccurl_data_callback = { buffer, size, count, userdata in
            let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
            let length = size * count
            if let buffer, transfer.responseBody.count < Transfer.bodyLimit {
                let keep = min(length, Transfer.bodyLimit - transfer.responseBody.count)
                buffer.withMemoryRebound(to: UInt8.self, capacity: keep) { bytes in
                    transfer.responseBody.append(contentsOf: UnsafeBufferPointer(start: bytes, count: keep))
                }
            }
            return length
        }
        let header: ccurl_data_callback = { buffer, size, count, userdata in
            let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
            let length = size * count
            if let buffer, transfer.responseHeaders.count < 64 {
                let line = buffer.withMemoryRebound(to: UInt8.self, capacity: length) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                }
                if let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].lowercased()
                    let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                    transfer.responseHeaders[name] = value
                } else if line.hasPrefix("HTTP/") {
                    transfer.responseHeaders.removeAll()
                }
            }
            return length
        }
        try check(ccurl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, write), "write")
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, me), "write")
        try check(ccurl_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, header), "header")
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, me), "header")

        if let mail = request.mail {
            try configureMail(mail, body: request.body)
            return
        }
        try check(ccurl_easy_setopt_string(handle, CURLOPT_USERAGENT, "Tyndau/0.1 (libcurl)"), "user agent")
        var headers = request.headers
        headers.append("Expect:")
        for line in headers {
            headerList = curl_slist_append(headerList, line)
        }
        try check(ccurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), "headers")
        switch request.method {
        case .get:
            try check(ccurl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1), "get")
        case .post, .put:
            try check(ccurl_easy_setopt_long(handle, CURLOPT_POSTFIELDSIZE, request.body.count), "body size")
            try request.body.withUnsafeBufferPointer { bytes in
                let pointer = UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                try check(ccurl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, pointer), "body")
            }
            if request.method == .put {
                try check(ccurl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, "PUT"), "put")
            }
        }
    }

    private func configureMail(_ mail: TransferRequest.Mail, body: [UInt8]) throws {
        try check(ccurl_easy_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(mail.from)>"), "mail from")
        for recipient in mail.recipients {
            recipientList = curl_slist_append(recipientList, "<\(recipient)>")
        }
        try check(ccurl_easy_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipientList), "recipients")
        if mail.requireTLS {
            try check(ccurl_easy_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)), "starttls")
        }
        if let username = mail.username {
            try check(ccurl_easy_setopt_string(handle, CURLOPT_USERNAME, username), "username")
        }
        if let password = mail.password {
            try check(ccurl_easy_setopt_string(handle, CURLOPT_PASSWORD, password), "password")
        }
        upload = body
        let read: ccurl_data_callback = { buffer, size, count, userdata in
            let transfer = Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
            let room = size * count
            let remaining = transfer.upload.count - transfer.uploadOffset
            let length = min(room, remaining)
            guard length > 0, let buffer else { return 0 }
            transfer.upload.withUnsafeBufferPointer { source in
                UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + transfer.uploadOffset, byteCount: length)
            }
            transfer.uploadOffset += length
            return length
        }
        try check(ccurl_easy_setopt_data_callback(handle, CURLOPT_READFUNCTION, read), "read")
        try check(ccurl_easy_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(self).toOpaque()), "read")
        try check(ccurl_easy_setopt_long(handle, CURLOPT_UPLOAD, 1), "upload")
        try check(ccurl_easy_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(body.count)), "size")
    }

    /// Reads status, `Retry-After` and the error buffer off the finished handle.
    func response(code: CURLcode, cancelled: Bool) -> TransferResponse {
        var status = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var retryAfter: curl_off_t = 0
        _ = ccurl_easy_getinfo_curl_off_t(handle, CURLINFO_RETRY_AFTER, &retryAfter)
        let elapsed = ContinuousClock.now - started
        var message: String?
        let refused = guardState.pointee.refused != 0
        let refusedAddress = refused ? String(cString: ccurl_guard_refused_address(guardState)) : nil
        if code != CURLE_OK {
            let buffer = String(cString: errorBuffer)
            message = buffer.isEmpty ? String(cString: curl_easy_strerror(code)) : buffer
            if let refusedAddress {
                message = "refused to connect to internal address \(refusedAddress) (mark the endpoint local to allow)"
            }
        }
        return TransferResponse(
            status: status, body: responseBody, headers: responseHeaders,
            retryAfter: retryAfter > 0 ? Int(min(retryAfter, 86_400)) : nil,
            curlCode: Int(code.rawValue), errorMessage: message, latencyMs: Int(Self.milliseconds(elapsed)),
            refusedAddress: refusedAddress, cancelled: cancelled
        )
    }

    func finish(_ response: TransferResponse) {
        let continuation = self.continuation
        self.continuation = nil
        continuation?.resume(returning: response)
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let components = duration.components
        return Int(components.seconds) * 1000 + Int(components.attoseconds / 1_000_000_000_000_000)
    }
}
