import Foundation

/// scripts/smtp-catcher.py (from the project venv) on a free port, keeping mail in a temporary
/// folder that goes away with it. The catcher stores a message before it answers 250, so once
/// `Mailer.send` returns the file is there: no waiting needed.
final class MailCatcher {
    let folder: URL
    let server: LocalServer
    var url: String { "smtp://127.0.0.1:\(server.port)" }

    init(requireAuth: String? = nil) throws {
        let python = try Checkout.venvPython()
        let folder = try Checkout.temporaryFolder()
        self.folder = folder
        server = try LocalServer(python) { port in
            var arguments = [Checkout.root + "/scripts/smtp-catcher.py", "--host", "127.0.0.1", "--port", String(port),
                             "--dir", folder.path]
            if let requireAuth { arguments += ["--require-auth", requireAuth] }
            return arguments
        }
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// One line of index.jsonl.
    struct Entry: Decodable {
        let id: String
        let file: String
        let mail_from: String
        let rcpt_tos: [String]
        let subject: String
    }

    /// What the catcher has stored, from its index (empty before the first mail).
    func entries() throws -> [Entry] {
        let index = folder.appendingPathComponent("index.jsonl")
        guard let text = try? String(contentsOf: index, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Entry.self, from: Data($0.utf8)) }
    }

    func raw(_ entry: Entry) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(entry.file), encoding: .utf8)
    }

    /// The stored message as Python's email package reads it (Fixtures/decode-mail.py).
    func decoded(_ entry: Entry) throws -> DecodedMail {
        let json = try Checkout.run("/usr/bin/python3", [Checkout.fixtures + "/decode-mail.py",
                                                         folder.appendingPathComponent(entry.file).path])
        return try JSONDecoder().decode(DecodedMail.self, from: json)
    }
}

struct DecodedMail: Decodable {
    struct Part: Decodable {
        let content_type: String
        let charset: String?
        let transfer_encoding: String?
        let text: String
    }

    let headers: [[String]]
    let content_type: String
    let parts: [Part]
    let longest_line: Int
    let defects: [String]

    func header(_ name: String) -> String? { headers.first { $0[0].lowercased() == name.lowercased() }?[1] }
    func hasHeader(_ name: String) -> Bool { header(name) != nil }
}
