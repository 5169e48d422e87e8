/// `multipart/form-data` (RFC 7578): text fields and file parts, with limits.
enum MultipartForm {
    static func parse(_ body: [UInt8], boundary: String, limits: RequestLimits) throws(HTTPError) -> FormData {
        let malformed = HTTPError.badRequest("The form upload is malformed.")
        let delimiter = Array("--\(boundary)".utf8)
        // Each later delimiter must begin a line: search for CRLF + delimiter.
        let separator = [UInt8(ascii: "\r"), UInt8(ascii: "\n")] + delimiter
        guard var cursor = indexOf(delimiter, in: body, from: 0) else { throw malformed }
        cursor += delimiter.count
        var form = FormData()
        var parts = 0
        while true {
            // After a delimiter: "--" closes the body, otherwise optional whitespace and CRLF.
            if hasPrefix(body, at: cursor, [UInt8(ascii: "-"), UInt8(ascii: "-")]) { return form }
            while cursor < body.count, body[cursor] == UInt8(ascii: " ") || body[cursor] == UInt8(ascii: "\t") { cursor += 1 }
            guard hasPrefix(body, at: cursor, [UInt8(ascii: "\r"), UInt8(ascii: "\n")]) else { throw malformed }
            cursor += 2
            guard let headerEnd = indexOf([13, 10, 13, 10], in: body, from: cursor, limit: 8 << 10) else {
                throw malformed
            }
            let part = try PartHeaders.parse(body[cursor..<headerEnd])
            let contentStart = headerEnd + 4
            guard let contentEnd = indexOf(separator, in: body, from: contentStart) else { throw malformed }
            parts += 1
            guard parts <= limits.maxFields else { throw .tooLarge("The form has too many fields.") }
            let content = body[contentStart..<contentEnd]
            if let filename = part.filename {
                guard form.files.count < limits.maxFiles else { throw .tooLarge("The form has too many files.") }
                guard content.count <= limits.maxFileBytes else { throw .tooLarge("An uploaded file is too large.") }
                form.append(UploadedFile(fieldName: part.name, filename: filename,
                                         contentType: part.contentType ?? "application/octet-stream",
                                         bytes: Array(content)))
            } else {
                guard content.count <= limits.maxFieldBytes else { throw .tooLarge("A form field is too large.") }
                form.append(part.name, try validUTF8(content))
            }
            cursor = contentEnd + separator.count
        }
    }

    /// The boundary parameter of a `multipart/form-data` Content-Type (quoted or not).
    static func boundary(fromContentType contentType: String) -> String? {
        for param in contentType.split(separator: ";").dropFirst() {
            let kv = param.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0].trimmingSpaces().lowercased() == "boundary" else { continue }
            var value = kv[1].trimmingSpaces()
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
            guard !value.isEmpty, value.utf8.count <= 70 else { return nil }
            return String(value)
        }
        return nil
    }

    struct PartHeaders {
        var name: String
        var filename: String?
        var contentType: String?

        static func parse(_ bytes: ArraySlice<UInt8>) throws(HTTPError) -> PartHeaders {
            let text = try validUTF8(bytes)
            var name: String?
            var filename: String?
            var contentType: String?
            for line in text.split(separator: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let field = line[..<colon].trimmingSpaces().lowercased()
                let value = line[line.index(after: colon)...].trimmingSpaces()
                if field == "content-type" {
                    contentType = String(value)
                } else if field == "content-disposition" {
                    let params = dispositionParameters(value)
                    name = params["name"]
                    filename = params["filename"]
                }
            }
            guard let name else { throw .badRequest("The form upload is malformed.") }
            return PartHeaders(name: name, filename: filename, contentType: contentType)
        }

        /// `form-data; name="a"; filename="b c.png"`, with quoted-string escapes.
        static func dispositionParameters(_ value: Substring) -> [String: String] {
            var result: [String: String] = [:]
            var chars = value.unicodeScalars[...]
            // Skip the disposition type.
            while let c = chars.first, c != ";" { chars = chars.dropFirst() }
            while !chars.isEmpty {
                chars = chars.dropFirst() // ';'
                while let c = chars.first, c == " " || c == "\t" { chars = chars.dropFirst() }
                var key = ""
                while let c = chars.first, c != "=", c != ";" { key.unicodeScalars.append(c); chars = chars.dropFirst() }
                guard chars.first == "=" else { continue }
                chars = chars.dropFirst()
                var val = ""
                if chars.first == "\"" {
                    chars = chars.dropFirst()
                    while let c = chars.first, c != "\"" {
                        chars = chars.dropFirst()
                        if c == "\\", let next = chars.first { val.unicodeScalars.append(next); chars = chars.dropFirst() }
                        else { val.unicodeScalars.append(c) }
                    }
                    chars = chars.dropFirst()
                    while let c = chars.first, c != ";" { chars = chars.dropFirst() }
                } else {
                    while let c = chars.first, c != ";" { val.unicodeScalars.append(c); chars = chars.dropFirst() }
                    val = String(Substring(val).trimmingSpaces())
                }
                result[key.trimmingCharactersSpaces().lowercased()] = val
            }
            return result
        }
    }

    static func hasPrefix(_ body: [UInt8], at i: Int, _ prefix: [UInt8]) -> Bool {
        guard i + prefix.count <= body.count else { return false }
        for k in 0..<prefix.count where body[i + k] != prefix[k] { return false }
        return true
    }

    /// First index of `needle` in `hay` at or after `from` (and before `from + limit`).
    static func indexOf(_ needle: [UInt8], in hay: [UInt8], from: Int, limit: Int = .max) -> Int? {
        guard let first = needle.first else { return nil }
        let end = hay.count - needle.count
        guard from <= end else { return nil }
        let stop = limit == .max ? end : min(end, from + limit)
        return hay.withUnsafeBufferPointer { h -> Int? in
            var i = from
            while i <= stop {
                if h[i] == first {
                    var k = 1
                    while k < needle.count, h[i + k] == needle[k] { k += 1 }
                    if k == needle.count { return i }
                }
                i += 1
            }
            return nil
        }
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}

extension String {
    func trimmingCharactersSpaces() -> String { String(self[...].trimmingSpaces()) }
}
