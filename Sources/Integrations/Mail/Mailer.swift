import CCurl
import Foundation

/// Sends mail over SMTP through libcurl: EHLO, optional STARTTLS and AUTH, MAIL FROM, one RCPT
/// per recipient, DATA. libcurl does the dot-stuffing; the message is built by `Mail`.
/// Owns one libcurl handle, reused between mails. Not thread-safe: one per process. Like
/// `OutboundHTTPClient`, it needs SIGPIPE ignored in the process (`storefleet jobs` included).
public final class Mailer {
    static let schemes: Set<String> = ["smtp", "smtps"]

    private let curl: CurlEasy

    public init() throws(IntegrationError) {
        curl = try CurlEasy()
    }

    /// Sends `mail` and returns its Message-ID (without brackets). Throws before connecting when
    /// the mail is malformed; `.mailRejected` carries the server's reply code (4xx: try later).
    @discardableResult
    public func send(_ mail: Mail, via settings: SMTPSettings) throws(IntegrationError) -> String {
        let target = try CurlURLTarget(settings.url, allowedSchemes: Self.schemes)
        try mail.validate()
        let messageID = mail.messageID ?? mail.generatedMessageID()
        let upload = MailUpload(mail.rendered(messageID: messageID, date: mail.date ?? Date()))
        let recipients = try CurlStringList(mail.envelopeRecipients.map { "<\($0)>" })

        curl.reset()
        try curl.set(CURLOPT_URL, settings.url)
        try curl.set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        try curl.set(CURLOPT_NOSIGNAL, true)
        try curl.set(CURLOPT_SSL_VERIFYPEER, true)
        try curl.set(CURLOPT_SSL_VERIFYHOST, 2)
        try curl.set(CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeout.clampedMilliseconds)
        try curl.set(CURLOPT_TIMEOUT_MS, settings.timeout.clampedMilliseconds)
        if target.scheme == "smtp" {
            let level: curl_usessl = switch settings.startTLS {
                case .never: CURLUSESSL_NONE
                case .ifOffered: CURLUSESSL_TRY
                case .always: CURLUSESSL_ALL
            }
            try curl.set(CURLOPT_USE_SSL, Int(level.rawValue))
        }
        if let username = settings.username { try curl.set(CURLOPT_USERNAME, username) }
        if let password = settings.password { try curl.set(CURLOPT_PASSWORD, password) }
        try curl.set(CURLOPT_MAIL_FROM, "<\(mail.from.address)>")
        try curl.set(CURLOPT_MAIL_RCPT, list: recipients)
        try curl.set(CURLOPT_UPLOAD, true)
        try curl.set(CURLOPT_INFILESIZE_LARGE, offset: upload.bytes.count)
        try curl.set(CURLOPT_READDATA, pointer: Unmanaged.passUnretained(upload).toOpaque())
        try curl.set(CURLOPT_READFUNCTION, readFunction: { buffer, size, count, context in
            let upload = Unmanaged<MailUpload>.fromOpaque(context!).takeUnretainedValue()
            return upload.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
        })

        let code = withExtendedLifetime((upload, recipients)) { curl.perform() }
        try curl.set(CURLOPT_READDATA, pointer: nil)
        guard code == CURLE_OK else { throw failure(code, host: target.host, settings: settings) }
        return messageID
    }

    private func failure(_ code: CURLcode, host: String, settings: SMTPSettings) -> IntegrationError {
        // The last SMTP reply code tells a refusal (530 auth required, 550 no such user, 452
        // try later) from a transport failure, whatever CURLcode libcurl chose for it.
        let reply = curl.responseCode
        if code == CURLE_LOGIN_DENIED { return .authenticationFailed(host: host) }
        let transport: Set<UInt32> = [CURLE_OPERATION_TIMEDOUT.rawValue, CURLE_USE_SSL_FAILED.rawValue,
                                      CURLE_COULDNT_CONNECT.rawValue, CURLE_COULDNT_RESOLVE_HOST.rawValue]
        if reply >= 400 && !transport.contains(code.rawValue) {
            return .mailRejected(host: host, replyCode: reply)
        }
        return IntegrationError.from(code, host: host, timeoutMilliseconds: settings.timeout.clampedMilliseconds)
    }
}

/// The message bytes libcurl pulls through its read callback.
final class MailUpload {
    let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let n = min(buffer.count, bytes.count - offset)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}
