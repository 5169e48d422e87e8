/// Fields (and uploaded files) from a query string or a form body.
public struct FormData: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    /// Text fields in the order sent; a name may repeat.
    public private(set) var fields: [Field] = []
    /// File parts of a multipart form.
    public private(set) var files: [UploadedFile] = []

    public init() {}
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        for f in fields where f.name == name { return f.value }
        return nil
    }

    /// Every value of `name`, in order (checkboxes, multi-selects).
    public func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// The first uploaded file sent as `name`.
    public func file(_ name: String) -> UploadedFile? { files.first { $0.fieldName == name } }

    public var isEmpty: Bool { fields.isEmpty && files.isEmpty }

    mutating func append(_ name: String, _ value: String) { fields.append(Field(name: name, value: value)) }
    mutating func append(_ file: UploadedFile) { files.append(file) }
}

/// One file part of a `multipart/form-data` body.
public struct UploadedFile: Sendable, Equatable {
    /// The form field's name.
    public var fieldName: String
    /// The name the browser sent, as given (may be empty; never use it as a path).
    public var filename: String
    /// The part's Content-Type, `application/octet-stream` if none was sent.
    public var contentType: String
    public var bytes: [UInt8]
}

enum URLEncodedForm {
    /// Parses `a=1&b=two+words&c=%C3%A9`. Empty pairs are skipped; a name without `=` has value "".
    static func parse(_ text: Substring, limits: RequestLimits) throws(HTTPError) -> FormData {
        var form = FormData()
        if text.isEmpty { return form }
        var count = 0
        for pair in text.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            count += 1
            guard count <= limits.maxFields else { throw .tooLarge("The form has too many fields.") }
            let name: String, value: String
            if let eq = pair.firstIndex(of: UInt8(ascii: "=")) {
                name = try PercentDecoding.decode(Substring(pair[..<eq]), plusAsSpace: true, maxBytes: limits.maxFieldBytes)
                value = try PercentDecoding.decode(Substring(pair[pair.index(after: eq)...]), plusAsSpace: true, maxBytes: limits.maxFieldBytes)
            } else {
                name = try PercentDecoding.decode(Substring(pair), plusAsSpace: true, maxBytes: limits.maxFieldBytes)
                value = ""
            }
            form.append(name, value)
        }
        return form
    }
}
