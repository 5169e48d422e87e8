import CCurl

/// The one HTTP client for every outbound call (Stripe, tracking, supplier, chat model).
///
/// It owns a libcurl easy handle that is reused from call to call, so calls to the same host
/// share a kept-alive connection. TLS certificates and host names are always verified. A 4xx or
/// 5xx answer is returned as a response; only transport failures throw. Not thread-safe: make
/// one per worker process (the request path is single-threaded).
///
/// libcurl runs with CURLOPT_NOSIGNAL (it installs no signal handlers, and resolves names on
/// its own thread), so a process using this must ignore SIGPIPE, as the FastCGI worker does.
public final class OutboundHTTPClient {
    static let schemes: Set<String> = ["http", "https"]

    private let curl: CurlEasy
    /// Sent as `User-Agent` unless a request sets its own.
    public let userAgent: String

    public init(userAgent: String = "Storefleet/1") throws(IntegrationError) {
        self.curl = try CurlEasy()
        self.userAgent = userAgent
    }

    public func send(_ request: OutboundRequest) throws(IntegrationError) -> OutboundResponse {
        let target = try CurlURLTarget(request.url, allowedSchemes: Self.schemes)
        guard request.maxResponseBytes >= 0, request.maxRedirects >= 0 else {
            throw .invalidRequest(reason: "limits must not be negative")
        }
        var lines = try request.headerLines()
        if request.header("User-Agent") == nil { lines.append("User-Agent: \(userAgent)") }
        let headerList = try CurlStringList(lines)
        let transfer = HTTPTransfer(limit: request.maxResponseBytes)

        curl.reset()
        try curl.set(CURLOPT_URL, request.url)
        try curl.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try curl.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try curl.set(CURLOPT_NOSIGNAL, true)
        try curl.set(CURLOPT_SSL_VERIFYPEER, true)
        try curl.set(CURLOPT_SSL_VERIFYHOST, 2)
        try curl.set(CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.clampedMilliseconds)
        try curl.set(CURLOPT_TIMEOUT_MS, request.timeout.clampedMilliseconds)
        try curl.set(CURLOPT_FOLLOWLOCATION, request.maxRedirects > 0)
        try curl.set(CURLOPT_MAXREDIRS, request.maxRedirects)
        // Announced lengths over the limit fail before the body is read; others in receiveBody.
        try curl.set(CURLOPT_MAXFILESIZE_LARGE, offset: request.maxResponseBytes)
        try curl.set(CURLOPT_ACCEPT_ENCODING, "")
        try curl.set(CURLOPT_HTTPHEADER, list: headerList)
        try setMethodAndBody(request)

        let context = Unmanaged.passUnretained(transfer).toOpaque()
        try curl.set(CURLOPT_WRITEDATA, pointer: context)
        try curl.set(CURLOPT_WRITEFUNCTION, writeFunction: { data, size, count, context in
            let transfer = Unmanaged<HTTPTransfer>.fromOpaque(context!).takeUnretainedValue()
            return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
        })
        try curl.set(CURLOPT_HEADERDATA, pointer: context)
        try curl.set(CURLOPT_HEADERFUNCTION, writeFunction: { data, size, count, context in
            let transfer = Unmanaged<HTTPTransfer>.fromOpaque(context!).takeUnretainedValue()
            transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        })

        let code = withExtendedLifetime((transfer, headerList)) { curl.perform() }
        // Nothing may call back into `transfer` after this: drop libcurl's pointers to it.
        try curl.set(CURLOPT_WRITEDATA, pointer: nil)
        try curl.set(CURLOPT_HEADERDATA, pointer: nil)

        if code == CURLE_FILESIZE_EXCEEDED || (code == CURLE_WRITE_ERROR && transfer.exceededLimit) {
            throw .responseTooLarge(host: target.host, limitBytes: request.maxResponseBytes)
        }
        guard code == CURLE_OK else {
            throw IntegrationError.from(code, host: target.host,
                                        timeoutMilliseconds: request.timeout.clampedMilliseconds)
        }
        return OutboundResponse(status: curl.responseCode, headers: transfer.headers, body: transfer.body)
    }

    private func setMethodAndBody(_ request: OutboundRequest) throws(IntegrationError) {
        switch (request.method, request.body.isEmpty) {
        case (.get, true):
            try curl.set(CURLOPT_HTTPGET, true)
        case (.head, true):
            try curl.set(CURLOPT_NOBODY, true)
        case (.head, false):
            throw .invalidRequest(reason: "a HEAD request has no body")
        case (.post, _):
            try curl.set(CURLOPT_POST, true)
            try curl.setBody(request.body)
        case (_, false):
            try curl.setBody(request.body)
            try curl.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        case (_, true):
            try curl.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }
    }
}

/// One call's incoming side, reached from libcurl's callbacks through an unretained pointer.
final class HTTPTransfer {
    let limit: Int
    private(set) var body: [UInt8] = []
    private(set) var headers: [(name: String, value: String)] = []
    private(set) var exceededLimit = false

    init(limit: Int) { self.limit = limit }

    /// Returning less than given makes libcurl stop with CURLE_WRITE_ERROR.
    func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Int {
        guard body.count + chunk.count <= limit else {
            exceededLimit = true
            return 0
        }
        body.append(contentsOf: chunk)
        return chunk.count
    }

    /// One header line, CRLF included. A status line starts a new block (after a 100 Continue
    /// or a followed redirect), so only the final response's headers are kept.
    func receiveHeaderLine(_ raw: UnsafeRawBufferPointer) {
        var end = raw.count
        while end > 0 && (raw[end - 1] == 0x0A || raw[end - 1] == 0x0D) { end -= 1 }
        let line = String(decoding: raw[..<end], as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            headers.removeAll()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingWhitespace()
        headers.append((name, value))
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
