import Foundation

/// Splits a migration file into statements, because the unnamed-statement protocol we speak to
/// PostgreSQL (works behind PgBouncer) takes one statement at a time. Knows enough of the lexical
/// rules not to split inside quotes, dollar quotes or comments.
enum SQLScript {
    static func statements(_ sql: String) -> [String] {
        let s = Array(sql.unicodeScalars)
        var out: [String] = []
        var current = String.UnicodeScalarView()
        var i = 0
        var meaningful = false
        func flush() {
            let text = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if meaningful && !text.isEmpty { out.append(text) }
            current = String.UnicodeScalarView()
            meaningful = false
        }
        func isIdent(_ c: Unicode.Scalar) -> Bool {
            c == "_" || c.properties.isAlphabetic || ("0"..."9").contains(c)
        }
        while i < s.count {
            let c = s[i]
            if c == "-" && i + 1 < s.count && s[i + 1] == "-" {
                while i < s.count && s[i] != "\n" { current.append(s[i]); i += 1 }
                continue
            }
            if c == "/" && i + 1 < s.count && s[i + 1] == "*" {
                var depth = 0
                while i < s.count {
                    if s[i] == "/" && i + 1 < s.count && s[i + 1] == "*" { depth += 1; current.append(s[i]); current.append(s[i + 1]); i += 2; continue }
                    if s[i] == "*" && i + 1 < s.count && s[i + 1] == "/" {
                        depth -= 1; current.append(s[i]); current.append(s[i + 1]); i += 2
                        if depth == 0 { break }
                        continue
                    }
                    current.append(s[i]); i += 1
                }
                continue
            }
            if c == "'" || c == "\"" {
                let escapes = c == "'" && i > 0 && (s[i - 1] == "E" || s[i - 1] == "e")
                    && (i < 2 || !isIdent(s[i - 2]))
                meaningful = true
                current.append(c); i += 1
                while i < s.count {
                    let d = s[i]
                    current.append(d); i += 1
                    if escapes && d == "\\" && i < s.count { current.append(s[i]); i += 1; continue }
                    if d == c {
                        if i < s.count && s[i] == c { current.append(s[i]); i += 1; continue }
                        break
                    }
                }
                continue
            }
            if c == "$" && (i == 0 || !isIdent(s[i - 1])) {
                // $tag$ ... $tag$
                var j = i + 1
                while j < s.count && s[j] != "$" && (isIdent(s[j])) && !(j == i + 1 && ("0"..."9").contains(s[j])) { j += 1 }
                if j < s.count && s[j] == "$" {
                    let tag = Array(s[i...j])
                    meaningful = true
                    for t in tag { current.append(t) }
                    i = j + 1
                    while i < s.count {
                        if s[i] == "$" && i + tag.count <= s.count && Array(s[i..<(i + tag.count)]) == tag {
                            for t in tag { current.append(t) }
                            i += tag.count
                            break
                        }
                        current.append(s[i]); i += 1
                    }
                    continue
                }
            }
            if c == ";" {
                flush()
                i += 1
                continue
            }
            if !c.properties.isWhitespace { meaningful = true }
            current.append(c)
            i += 1
        }
        flush()
        return out
    }
}
