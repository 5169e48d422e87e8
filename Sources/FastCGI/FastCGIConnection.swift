import CFastCGI
import Glibc

/// One libfcgi request slot (`FCGX_Request`) on a listening socket. Owns the C struct and
/// frees it in `deinit`; nothing of libfcgi leaves this file.
final class FastCGIConnection {
    private let request: UnsafeMutablePointer<FCGX_Request>

    /// `FCGX_Init` must have run in this process (see `FastCGIConnection.initializeLibrary`).
    init(listenFD: Int32) {
        request = .allocate(capacity: 1)
        FCGX_InitRequest(request, listenFD, 0)
    }

    deinit {
        FCGX_Free(request, 1)
        request.deallocate()
    }

    static func initializeLibrary() { _ = FCGX_Init() }

    /// Accepts the next request. Returns 0, or a negative errno (`-EAGAIN` when another worker
    /// took the connection first: the listening socket is non-blocking).
    func accept() -> Int32 { FCGX_Accept_r(request) }

    /// Every CGI param. Values that are not valid UTF-8 are repaired and their names returned,
    /// so the caller can refuse the request (the HTTP layer sees only Strings).
    func params() -> (params: [String: String], invalidUTF8: [String]) {
        var result: [String: String] = [:]
        result.reserveCapacity(40)
        var invalid: [String] = []
        guard var p = request.pointee.envp else { return (result, invalid) }
        while let entry = p.pointee {
            let length = strlen(entry)
            let buffer = UnsafeRawBufferPointer(start: entry, count: length).bindMemory(to: UInt8.self)
            if let eq = buffer.firstIndex(of: UInt8(ascii: "=")) {
                let name = String(decoding: UnsafeBufferPointer(rebasing: buffer[..<eq]), as: UTF8.self)
                let valueBytes = UnsafeBufferPointer(rebasing: buffer[(eq + 1)...])
                if let value = String(validating: valueBytes, as: UTF8.self) {
                    result[name] = value
                } else {
                    result[name] = String(decoding: valueBytes, as: UTF8.self)
                    invalid.append(name)
                }
            }
            p += 1
        }
        return (result, invalid)
    }

    /// Reads the request body (stdin) to its end. Past `limit` the rest is read and dropped
    /// (so the web server can finish sending and reads our 413) and the result is nil.
    func readBody(expected: Int?, limit: Int) -> [UInt8]? {
        var body: [UInt8] = []
        if let expected, expected > 0 { body.reserveCapacity(min(expected, limit)) }
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        var tooLarge = false
        while true {
            let n = chunk.withUnsafeMutableBytes { buf in
                FCGX_GetStr(buf.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(buf.count), request.pointee.in)
            }
            if n <= 0 { break }
            if tooLarge { continue }
            body.append(contentsOf: chunk[0..<Int(n)])
            if body.count > limit {
                tooLarge = true
                body = []
            }
        }
        return tooLarge ? nil : body
    }

    /// Writes to the response (stdout); false when the web server has gone.
    @discardableResult
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count > 0 else { return true }
        let n = FCGX_PutStr(bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count), request.pointee.out)
        return n == Int32(bytes.count)
    }

    /// Completes the request: flushes, sends END_REQUEST, closes the connection.
    /// By default libfcgi half-closes and waits for the web server to close its end (so a TCP
    /// reset cannot destroy the response). On a unix socket nothing can be lost that way once
    /// the request body has been read to its end, so `lingering: false` closes at once and
    /// frees the worker a round trip earlier.
    func finish(lingering: Bool) {
        if !lingering { FCGX_Detach(request) }
        FCGX_Finish_r(request)
    }

    /// Opens a listening socket: `/path/to.sock` or `host:port` / `:port`, with libfcgi.
    static func openSocket(_ spec: String, backlog: Int32) -> Int32 { FCGX_OpenSocket(spec, backlog) }
}
