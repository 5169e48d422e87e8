import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A response as it came off the wire.
struct RawHTTPResponse {
    let status: Int
    /// In the order received; names as sent.
    let headers: [(name: String, value: String)]
    let body: [UInt8]

    /// The first header with this name, compared case-insensitively.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

struct RawHTTPError: Error, CustomStringConvertible {
    let step: String
    let code: Int32
    var description: String { "raw HTTP: \(step) failed (errno \(code): \(String(cString: strerror(code))))" }
}

/// A minimal HTTP/1.1 client over a loopback TCP socket, one request per connection.
///
/// Tests use it instead of URLSession because they need to send what a browser would not: any
/// `Host` header (store subdomains, custom domains, malformed hosts), a `Content-Length` larger
/// than the body, bytes that are not UTF-8.
enum RawHTTPClient {
    /// Sends one request to 127.0.0.1:`port` with `Connection: close` and reads the answer to EOF.
    /// `Content-Length` is added for a non-empty body unless `headers` already has one.
    static func request(
        port: Int, method: String = "GET", target: String, host: String,
        headers: [(String, String)] = [], body: [UInt8] = [], timeoutSeconds: Int = 15
    ) throws -> RawHTTPResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let hasLength = headers.contains { $0.0.lowercased() == "content-length" }
        if !body.isEmpty && !hasLength { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return try exchange(port: port, bytes: Array(head.utf8) + body, timeoutSeconds: timeoutSeconds)
    }

    /// Sends `bytes` as they are and parses whatever comes back.
    static func exchange(port: Int, bytes: [UInt8], timeoutSeconds: Int = 15) throws -> RawHTTPResponse {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawHTTPError(step: "socket", code: errno) }
        defer { close(fd) }

        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw RawHTTPError(step: "connect to 127.0.0.1:\(port)", code: errno) }

        // The server may answer and stop reading early (413); a failed write is then expected,
        // and the answer is still there to read.
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }

        // Read until the response is complete rather than until EOF: after refusing a body, nginx
        // keeps the connection open for a while to drain what the client still sends.
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !isComplete(received) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            if n < 0 {
                if errno == ECONNRESET && !received.isEmpty { break }
                throw RawHTTPError(step: "recv", code: errno)
            }
            received += buffer[0..<n]
        }
        return try parse(received)
    }

    /// Whether `bytes` hold a whole response: headers plus Content-Length bytes, or a chunked
    /// body up to its last chunk. Without either, only EOF ends it.
    static func isComplete(_ bytes: [UInt8]) -> Bool {
        guard let end = bytes.firstRange(of: [13, 10, 13, 10]),
              let head = try? parse(Array(bytes[..<end.upperBound])) else { return false }
        if let length = head.header("Content-Length").flatMap(Int.init) {
            return bytes.count - end.upperBound >= length
        }
        if head.header("Transfer-Encoding")?.lowercased() == "chunked" {
            return bytes.count - end.upperBound >= 5 && bytes.suffix(5).elementsEqual([48, 13, 10, 13, 10])
        }
        return false
    }

    static func parse(_ bytes: [UInt8]) throws -> RawHTTPResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.firstRange(of: separator) else {
            throw ParseError(reason: "no end of headers in \(bytes.count) bytes")
        }
        let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusParts = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw ParseError(reason: "bad status line")
        }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(bytes[end.upperBound...])
        let response = RawHTTPResponse(status: status, headers: headers, body: [])
        if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            body = try dechunk(body)
        } else if let length = response.header("Content-Length").flatMap(Int.init), length <= body.count {
            body = Array(body[..<length])
        }
        return RawHTTPResponse(status: status, headers: headers, body: body)
    }

    static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            guard let lineEnd = bytes[i...].firstRange(of: [13, 10]) else { throw ParseError(reason: "bad chunk") }
            let sizeText = String(decoding: bytes[i..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";")[0], radix: 16) else {
                throw ParseError(reason: "bad chunk size")
            }
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard start + size <= bytes.count else { throw ParseError(reason: "short chunk") }
            out += bytes[start..<start + size]
            i = start + size + 2
        }
        return out
    }

    struct ParseError: Error, CustomStringConvertible {
        let reason: String
        var description: String { "raw HTTP: unparseable response: \(reason)" }
    }
}
