import CCurl

/// Owns one libcurl easy handle. Reused across transfers (`reset()` clears the options but keeps
/// open connections, so a second call to the same host skips the TCP and TLS handshakes).
/// Not thread-safe: one per process or per worker, like a database connection.
final class CurlEasy {
    private let handle: UnsafeMutableRawPointer

    init() throws(IntegrationError) {
        guard let handle = curl_easy_init() else {
            throw .transport(host: "-", curlCode: Int(CURLE_FAILED_INIT.rawValue), summary: "libcurl could not start")
        }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Clears every option before the next transfer; live connections stay in the cache.
    func reset() { curl_easy_reset(handle) }

    func set(_ option: CURLoption, _ value: Int) throws(IntegrationError) {
        try check(sf_curl_setopt_long(handle, option, value), option)
    }

    func set(_ option: CURLoption, _ value: Bool) throws(IntegrationError) {
        try set(option, value ? 1 : 0)
    }

    func set(_ option: CURLoption, offset value: Int) throws(IntegrationError) {
        try check(sf_curl_setopt_off_t(handle, option, curl_off_t(value)), option)
    }

    /// libcurl copies string options (except POSTFIELDS, which this type never uses).
    func set(_ option: CURLoption, _ value: String) throws(IntegrationError) {
        try check(value.withCString { sf_curl_setopt_string(handle, option, $0) }, option)
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws(IntegrationError) {
        try check(sf_curl_setopt_pointer(handle, option, value), option)
    }

    /// The list must outlive the transfer: libcurl keeps the pointer.
    func set(_ option: CURLoption, list: CurlStringList) throws(IntegrationError) {
        try check(sf_curl_setopt_slist(handle, option, list.head), option)
    }

    func set(_ option: CURLoption, writeFunction: curl_write_callback) throws(IntegrationError) {
        try check(sf_curl_setopt_write_function(handle, option, writeFunction), option)
    }

    func set(_ option: CURLoption, readFunction: curl_read_callback) throws(IntegrationError) {
        try check(sf_curl_setopt_read_function(handle, option, readFunction), option)
    }

    /// Copies `bytes` into libcurl (CURLOPT_COPYPOSTFIELDS), binary-safe: the size goes first.
    func setBody(_ bytes: [UInt8]) throws(IntegrationError) {
        try set(CURLOPT_POSTFIELDSIZE_LARGE, offset: bytes.count)
        if bytes.isEmpty { return try set(CURLOPT_COPYPOSTFIELDS, "") }
        let code = bytes.withUnsafeBytes { raw in
            sf_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
        }
        try check(code, CURLOPT_COPYPOSTFIELDS)
    }

    /// Runs the transfer configured so far.
    func perform() -> CURLcode { curl_easy_perform(handle) }

    /// The last HTTP status or SMTP reply code, 0 when none arrived.
    var responseCode: Int {
        var code = 0
        _ = sf_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(IntegrationError) {
        guard code != CURLE_OK else { return }
        throw .transport(host: "-", curlCode: Int(code.rawValue),
                         summary: "option \(option.rawValue) refused: \(CurlEasy.summary(code))")
    }

    /// libcurl's fixed text for a code: names the failure, never the URL or data.
    static func summary(_ code: CURLcode) -> String { String(cString: curl_easy_strerror(code)) }
}

/// A `curl_slist` (headers, SMTP recipients), freed in deinit.
final class CurlStringList {
    private(set) var head: UnsafeMutablePointer<curl_slist>?

    init(_ items: [String] = []) throws(IntegrationError) {
        for item in items { try append(item) }
    }

    deinit { curl_slist_free_all(head) }

    func append(_ item: String) throws(IntegrationError) {
        guard let next = item.withCString({ curl_slist_append(head, $0) }) else {
            throw .transport(host: "-", curlCode: Int(CURLE_OUT_OF_MEMORY.rawValue), summary: "out of memory")
        }
        head = next
    }
}

/// The scheme and `host[:port]` of a URL, parsed by libcurl itself so that what we check is
/// what it connects to. The path and query (which may hold tokens) are never kept.
struct CurlURLTarget {
    let scheme: String
    let host: String

    init(_ url: String, allowedSchemes: Set<String>) throws(IntegrationError) {
        guard !url.utf8.contains(0), !url.contains(where: { $0.isNewline }) else {
            throw .invalidURL(reason: "contains a control character")
        }
        guard let parsed = curl_url() else { throw .invalidURL(reason: "out of memory") }
        defer { curl_url_cleanup(parsed) }
        guard curl_url_set(parsed, CURLUPART_URL, url, 0) == CURLUE_OK else {
            throw .invalidURL(reason: "not an absolute URL")
        }
        func part(_ which: CURLUPart) -> String? {
            var out: UnsafeMutablePointer<CChar>?
            guard curl_url_get(parsed, which, &out, 0) == CURLUE_OK, let out else { return nil }
            defer { curl_free(out) }
            return String(cString: out)
        }
        guard let scheme = part(CURLUPART_SCHEME)?.lowercased(), allowedSchemes.contains(scheme) else {
            throw .invalidURL(reason: "scheme must be one of \(allowedSchemes.sorted().joined(separator: ", "))")
        }
        guard let host = part(CURLUPART_HOST), !host.isEmpty else { throw .invalidURL(reason: "no host") }
        self.scheme = scheme
        self.host = part(CURLUPART_PORT).map { "\(host):\($0)" } ?? host
    }
}

extension IntegrationError {
    /// Maps a failed transfer to the case a caller can act on.
    static func from(_ code: CURLcode, host: String, timeoutMilliseconds: Int) -> IntegrationError {
        switch code {
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidURL(reason: summaryOf(code))
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .couldNotResolve(host: host)
        case CURLE_COULDNT_CONNECT:
            return .couldNotConnect(host: host)
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(host: host, milliseconds: timeoutMilliseconds)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_CRL_BADFILE, CURLE_USE_SSL_FAILED:
            return .tls(host: host, summary: summaryOf(code))
        case CURLE_LOGIN_DENIED:
            return .authenticationFailed(host: host)
        default:
            return .transport(host: host, curlCode: Int(code.rawValue), summary: summaryOf(code))
        }
    }

    private static func summaryOf(_ code: CURLcode) -> String { CurlEasy.summary(code) }
}
