import Glibc

/// A small FastCGI client speaking the protocol as nginx does (one request per connection):
/// BEGIN_REQUEST, PARAMS, empty PARAMS, STDIN, empty STDIN, then STDOUT until END_REQUEST.
enum FastCGIRecordType: UInt8 {
    case beginRequest = 1, abortRequest = 2, endRequest = 3, params = 4, stdin = 5, stdout = 6, stderr = 7
}

struct FastCGIRecord: Equatable {
    var type: UInt8
    var requestId: UInt16
    var content: [UInt8]
}

enum FastCGIRecordEncoder {
    static func record(_ type: FastCGIRecordType, requestId: UInt16 = 1, _ content: [UInt8]) -> [UInt8] {
        precondition(content.count <= 65535)
        let padding = (8 - content.count % 8) % 8
        var out: [UInt8] = [1, type.rawValue, UInt8(requestId >> 8), UInt8(requestId & 0xff),
                            UInt8(content.count >> 8), UInt8(content.count & 0xff), UInt8(padding), 0]
        out += content
        out += [UInt8](repeating: 0, count: padding)
        return out
    }

    /// Name-value pairs: lengths under 128 take one byte, others four with the high bit set.
    static func nameValuePairs(_ pairs: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        func length(_ n: Int) {
            if n < 128 { out.append(UInt8(n)) } else {
                out += [UInt8((n >> 24) & 0x7f) | 0x80, UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)]
            }
        }
        for (name, value) in pairs {
            length(name.utf8.count)
            length(value.utf8.count)
            out += Array(name.utf8) + Array(value.utf8)
        }
        return out
    }

    /// The whole request as bytes: content over 65535 bytes is split across records.
    static func request(params: [(String, String)], rawParams: [UInt8] = [], stdin: [UInt8]) -> [UInt8] {
        var out = record(.beginRequest, [0, 1, 0, 0, 0, 0, 0, 0])  // role RESPONDER, no keep-alive
        for chunk in chunks(nameValuePairs(params) + rawParams) { out += record(.params, chunk) }
        out += record(.params, [])
        for chunk in chunks(stdin) { out += record(.stdin, chunk) }
        out += record(.stdin, [])
        return out
    }

    static func chunks(_ bytes: [UInt8]) -> [[UInt8]] {
        stride(from: 0, to: bytes.count, by: 65535).map { Array(bytes[$0..<min($0 + 65535, bytes.count)]) }
    }
}

/// Reassembles records from bytes arriving in arbitrary pieces.
struct FastCGIRecordDecoder {
    private var buffer: [UInt8] = []

    mutating func feed(_ bytes: [UInt8]) -> [FastCGIRecord] {
        buffer += bytes
        var records: [FastCGIRecord] = []
        while buffer.count >= 8 {
            let length = Int(buffer[4]) << 8 | Int(buffer[5])
            let total = 8 + length + Int(buffer[6])
            guard buffer.count >= total else { break }
            records.append(FastCGIRecord(type: buffer[1], requestId: UInt16(buffer[2]) << 8 | UInt16(buffer[3]),
                                         content: Array(buffer[8..<(8 + length)])))
            buffer.removeFirst(total)
        }
        return records
    }

    var isEmpty: Bool { buffer.isEmpty }
}

struct FastCGIResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }

    /// Parses the CGI response in STDOUT: header lines, a blank line, the body.
    init(cgiOutput out: [UInt8]) throws {
        guard let end = (0..<max(0, out.count - 3)).first(where: { out[$0] == 13 && out[$0 + 1] == 10 && out[$0 + 2] == 13 && out[$0 + 3] == 10 }) else {
            throw FastCGIClientError.malformedResponse
        }
        let head = String(decoding: out[0..<end], as: UTF8.self)
        headers = head.split(separator: "\r\n").compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " }))
        }
        body = Array(out[(end + 4)...])
        status = 200
        if let s = headers.first(where: { $0.0.lowercased() == "status" })?.1, let code = Int(s.prefix(3)) { status = code }
    }
}

enum FastCGIClientError: Error, CustomStringConvertible {
    case connect(Int32), io(Int32), closedEarly, malformedResponse
    var description: String {
        switch self {
        case .connect(let e): return "connect: \(String(cString: strerror(e)))"
        case .io(let e): return "i/o: \(String(cString: strerror(e)))"
        case .closedEarly: return "connection closed before END_REQUEST"
        case .malformedResponse: return "malformed CGI response"
        }
    }
}

enum FastCGIClient {
    /// Sends one request and reads the whole response, as nginx would.
    static func send(socketPath: String, method: String = "GET", uri: String, host: String = "storefleet.localhost",
                     extraParams: [(String, String)] = [], rawParams: [UInt8] = [], body: [UInt8] = [],
                     timeoutSeconds: Int = 30) throws -> FastCGIResponse {
        var params: [(String, String)] = [
            ("REQUEST_METHOD", method), ("REQUEST_URI", uri), ("HTTP_HOST", host),
            ("QUERY_STRING", uri.firstIndex(of: "?").map { String(uri[uri.index(after: $0)...]) } ?? ""),
            ("DOCUMENT_URI", String(uri.prefix { $0 != "?" })), ("REMOTE_ADDR", "127.0.0.1"),
            ("SERVER_PROTOCOL", "HTTP/1.1"), ("CONTENT_LENGTH", body.isEmpty ? "" : String(body.count)),
        ]
        params += extraParams
        let fd = try connectUnix(socketPath)
        defer { close(fd) }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        try writeAll(fd, FastCGIRecordEncoder.request(params: params, rawParams: rawParams, stdin: body))

        var decoder = FastCGIRecordDecoder()
        var stdout: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buf, buf.count)
            if n < 0 { if errno == EINTR { continue }; throw FastCGIClientError.io(errno) }
            if n == 0 { throw FastCGIClientError.closedEarly }
            for record in decoder.feed(Array(buf[0..<n])) {
                if record.type == FastCGIRecordType.stdout.rawValue { stdout += record.content }
                if record.type == FastCGIRecordType.endRequest.rawValue { return try FastCGIResponse(cgiOutput: stdout) }
            }
        }
    }

    static func connectUnix(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FastCGIClientError.connect(errno) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in path.utf8.enumerated() where i < buf.count - 1 { buf[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc != 0 {
            let e = errno
            close(fd)
            throw FastCGIClientError.connect(e)
        }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 { if errno == EINTR { continue }; throw FastCGIClientError.io(errno) }
            offset += n
        }
    }
}
