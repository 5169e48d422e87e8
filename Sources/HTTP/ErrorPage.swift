/// The default error pages: small, plain HTML, the status and a public message, never internals.
public enum ErrorPage {
    public static func response(status: Status, message: String? = nil, requestId: String? = nil) -> Response {
        let text = message ?? defaultMessage(for: status)
        var html = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>\(status.code) \(escapeHTML(status.reason))</title>\n"
        html += "<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}"
        html += "h1{font-size:1.5rem}p.id{color:#888;font-size:.8rem}</style>\n</head>\n<body>\n"
        html += "<h1>\(escapeHTML(status.reason))</h1>\n<p>\(escapeHTML(text))</p>\n"
        if let requestId { html += "<p class=\"id\">Request id: \(escapeHTML(requestId))</p>\n" }
        html += "</body>\n</html>\n"
        var r = Response.html(html, status: status)
        r.headers["Cache-Control"] = "no-store"
        return r
    }

    /// The page for any error a handler threw: its own status and message if it is
    /// `HTTPErrorRepresentable`, else a plain 500 (the caller logs the error itself).
    public static func response(for error: any Error, requestId: String? = nil) -> Response {
        guard let e = error as? any HTTPErrorRepresentable else {
            return response(status: .internalServerError, requestId: requestId)
        }
        var r = response(status: e.status, message: e.publicMessage, requestId: requestId)
        for h in e.headers { r.headers[h.name] = h.value }
        return r
    }

    static func defaultMessage(for status: Status) -> String {
        switch status.code {
        case 400: return "The request could not be understood."
        case 401: return "You need to sign in to see this page."
        case 403: return "You do not have access to this page."
        case 404: return "There is nothing here."
        case 405: return "This page does not accept that method."
        case 413: return "The request is too large."
        case 414: return "The address is too long."
        case 415: return "The request body has a type this page does not accept."
        case 429: return "Too many requests. Please wait a moment and try again."
        case 503: return "This service is temporarily unavailable. Please try again shortly."
        case 500...599: return "Something went wrong on our side. Please try again."
        default: return status.reason
        }
    }
}

/// Escapes text for HTML element content and quoted attribute values.
func escapeHTML(_ s: String) -> String {
    var needs = false
    for b in s.utf8 where b == 0x26 || b == 0x3C || b == 0x3E || b == 0x22 || b == 0x27 { needs = true; break }
    if !needs { return s }
    var out = ""
    out.reserveCapacity(s.utf8.count + 16)
    for c in s.unicodeScalars {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}
