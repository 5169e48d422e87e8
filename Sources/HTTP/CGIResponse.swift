/// The CGI response head a FastCGI responder writes before the body:
/// `Status: 200 OK\r\nName: value\r\n…\r\n\r\n`.
public enum CGIResponseHead {
    /// Header fields whose name is not a token or whose value holds CR, LF or NUL are dropped
    /// (response splitting). `extra` fields are appended after the response's own.
    public static func encode(_ response: Response, extra: [(String, String)] = []) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        out.append(contentsOf: "Status: ".utf8)
        out.append(contentsOf: String(response.status.code).utf8)
        out.append(UInt8(ascii: " "))
        append(response.status.reason, to: &out)
        out.append(contentsOf: [13, 10])
        for field in response.headers { appendField(field.name, field.value, to: &out) }
        for (name, value) in extra { appendField(name, value, to: &out) }
        out.append(contentsOf: [13, 10])
        return out
    }

    private static func appendField(_ name: String, _ value: String, to out: inout [UInt8]) {
        guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte),
              !value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else { return }
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
        out.append(contentsOf: value.utf8)
        out.append(contentsOf: [13, 10])
    }

    private static func append(_ s: String, to out: inout [UInt8]) {
        for b in s.utf8 where b != 13 && b != 10 && b != 0 { out.append(b) }
    }
}
