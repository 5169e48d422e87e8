// Checkout benchmark driver, compiled (`swiftc -O`): the same purchase as driver.py — add to
// cart, GET /checkout, POST /checkout, GET and POST /checkout/shipping, GET /checkout/payment,
// POST /checkout/complete with a manual method — by concurrent buyers, each a process of its own
// with one keep-alive connection and its own cookies. Prints driver.py's JSON.
//
//   checkout-driver --port 18481 --variants 'a.host=1,2;b.host=3' --buyers 8 --duration 20 [--warmup 3]
//
// Why a second driver: on the 2-core benchmark machine the Python one took ~20% of a core (its
// HTTP client parses every header with the email package), CPU the measured system then lacks.
// This one costs a few percent, like wrk.
import Glibc

let steps = ["add", "information", "information_post", "shipping", "shipping_post", "payment", "complete"]

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func fail(_ message: String) -> Never {
    fputs("checkout-driver: \(message)\n", stderr)
    exit(2)
}

// MARK: - Arguments

struct Options {
    var port: UInt16 = 0
    var variantSpec = ""
    var buyers = 8
    var duration = 20.0
    var warmup = 3.0
}

func parseOptions() -> Options {
    var options = Options()
    var args = CommandLine.arguments.dropFirst()
    while let flag = args.popFirst() {
        guard let value = args.popFirst() else { fail("\(flag) needs a value") }
        switch flag {
        case "--port": options.port = UInt16(value) ?? 0
        case "--variants": options.variantSpec = value
        case "--buyers": options.buyers = Int(value) ?? 8
        case "--duration": options.duration = Double(value) ?? 20
        case "--warmup": options.warmup = Double(value) ?? 3
        case "--hosts": break   // driver.py's; the hosts are in --variants
        default: fail("unknown option \(flag)")
        }
    }
    guard options.port > 0, !options.variantSpec.isEmpty else { fail("--port and --variants (host=id,id;host=id) are required") }
    return options
}

let options = parseOptions()
let port = options.port
let buyers = options.buyers
let duration = options.duration
let stores: [(host: String, variants: [Int])] = options.variantSpec.split(separator: ";").map { part in
    let pieces = part.split(separator: "=", maxSplits: 1)
    guard pieces.count == 2 else { fail("--variants: \(part) is not host=id,id") }
    return (String(pieces[0]), pieces[1].split(separator: ",").compactMap { Int($0) })
}

// MARK: - HTTP over one keep-alive connection

struct Reply {
    var status = 0
    var location: String?
    var body: [UInt8] = []
}

final class Buyer {
    let host: String
    var fd: Int32 = -1
    var cookies: [(String, String)] = []
    var buffer: [UInt8] = []

    init(host: String) { self.host = host }

    func connectIfNeeded() -> Bool {
        if fd >= 0 { return true }
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if ok != 0 { close(fd); fd = -1; return false }
        buffer.removeAll(keepingCapacity: true)
        return true
    }

    func drop() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    func cookie(_ name: String) -> String? { cookies.first { $0.0 == name }?.1 }

    func request(_ method: String, _ path: String, form: [(String, String)]? = nil) -> Reply? {
        for attempt in 0..<2 {
            if let reply = attemptRequest(method, path, form: form) { return reply }
            drop()
            if attempt == 1 { return nil }
        }
        return nil
    }

    private func attemptRequest(_ method: String, _ path: String, form: [(String, String)]?) -> Reply? {
        guard connectIfNeeded() else { return nil }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n"
        if !cookies.isEmpty { head += "Cookie: " + cookies.map { "\($0.0)=\($0.1)" }.joined(separator: "; ") + "\r\n" }
        var body = ""
        if let form {
            body = form.map { "\(percentEncoded($0.0))=\(percentEncoded($0.1))" }.joined(separator: "&")
            head += "Content-Type: application/x-www-form-urlencoded\r\nOrigin: http://\(host):\(port)\r\n"
        }
        head += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        let bytes = Array(head.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return nil }
            sent += n
        }
        return readReply()
    }

    /// Reads until `count` bytes are buffered; false on end of stream.
    private func fill(_ count: Int) -> Bool {
        while buffer.count < count {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return false }
            buffer.append(contentsOf: chunk[0..<n])
        }
        return true
    }

    /// One read's worth, allocated once.
    private var chunk = [UInt8](repeating: 0, count: 65536)

    private func headerEnd() -> Int? {
        find(Array("\r\n\r\n".utf8), in: buffer)
    }

    private func readReply() -> Reply? {
        var end = headerEnd()
        while end == nil {
            if !fill(buffer.count + 1) { return nil }
            end = headerEnd()
        }
        let headerText = String(decoding: buffer[0..<end!], as: UTF8.self)
        buffer.removeFirst(end! + 4)
        var reply = Reply()
        var length = 0
        var chunked = false
        var closes = false
        for (n, line) in headerText.split(separator: "\r\n", omittingEmptySubsequences: false).enumerated() {
            if n == 0 {
                let parts = line.split(separator: " ")
                reply.status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters()
            switch name {
            case "content-length": length = Int(value) ?? 0
            case "transfer-encoding": chunked = value.lowercased().contains("chunked")
            case "connection": closes = value.lowercased() == "close"
            case "location": reply.location = value
            case "set-cookie": takeCookie(value)
            default: break
            }
        }
        if chunked {
            while true {
                var lineEnd: Int?
                while lineEnd == nil {
                    lineEnd = buffer.firstIndex(of: 10)
                    if lineEnd == nil && !fill(buffer.count + 1) { return nil }
                }
                let sizeText = String(decoding: buffer[0..<lineEnd!], as: UTF8.self).trimmingCharacters()
                buffer.removeFirst(lineEnd! + 1)
                let size = Int(sizeText.split(separator: ";").first.map(String.init) ?? "", radix: 16) ?? 0
                if !fill(size + 2) { return nil }
                reply.body += buffer[0..<size]
                buffer.removeFirst(size + 2)
                if size == 0 { break }
            }
        } else {
            if !fill(length) { return nil }
            reply.body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        }
        if closes { drop() }
        return reply
    }

    private func takeCookie(_ header: String) {
        let pair = header.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        guard let equals = pair.firstIndex(of: "=") else { return }
        let name = String(pair[..<equals])
        let value = String(pair[pair.index(after: equals)...])
        cookies.removeAll { $0.0 == name }
        if !value.isEmpty && !header.contains("Max-Age=0") { cookies.append((name, value)) }
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        String(self.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed())
    }
}

extension String {
    func trimmingCharacters() -> String { Substring(self).trimmingCharacters() }
}

func percentEncoded(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.append(Character(Unicode.Scalar(byte)))
        default:
            out += "%" + String(byte, radix: 16, uppercase: true).leftPadded()
        }
    }
    return out
}

extension String {
    func leftPadded() -> String { count < 2 ? "0" + self : self }
}

/// Where `needle` first occurs in `haystack` from `from` (memchr for its first byte, then memcmp), or nil.
func find(_ needle: [UInt8], in haystack: [UInt8], from: Int = 0) -> Int? {
    guard !needle.isEmpty, haystack.count - from >= needle.count else { return nil }
    return haystack.withUnsafeBytes { h in
        needle.withUnsafeBytes { n in
            let base = h.baseAddress!
            var at = from
            let last = h.count - n.count
            while at <= last {
                guard let hit = memchr(base + at, Int32(n[0]), last - at + 1) else { return nil }
                let index = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + index, n.baseAddress!, n.count) == 0 { return index }
                at = index + 1
            }
            return nil
        }
    }
}

/// The value of the first `name="<field>" value="..."` in the page.
func field(_ page: [UInt8], _ name: String) -> String? {
    let needle = Array("name=\"\(name)\" value=\"".utf8)
    guard let at = find(needle, in: page) else { return nil }
    let start = at + needle.count
    guard let end = page[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
    return String(decoding: page[start..<end], as: UTF8.self)
}

// MARK: - One purchase

func purchase(_ buyer: Buyer, variant: Int, email: String, record: (Int, Double) -> Void) -> Bool {
    func step(_ index: Int, _ method: String, _ path: String, _ form: [(String, String)]? = nil) -> Reply? {
        let started = now()
        let reply = buyer.request(method, path, form: form)
        record(index, (now() - started) * 1000)
        return reply
    }
    buyer.cookies.removeAll { $0.0 == "sf_cart" }
    guard let added = step(0, "POST", "/cart/add", [("id", String(variant)), ("quantity", "1")]), added.status == 303,
          let info = step(1, "GET", "/checkout"), info.status == 200, let csrf = field(info.body, "_csrf"),
          let contact = step(2, "POST", "/checkout", [
              ("_csrf", csrf), ("email", email), ("first_name", "Bench"), ("last_name", "Buyer"),
              ("address1", "1 Load Street"), ("city", "Springfield"), ("province_code", "IL"),
              ("postal_code", "62701"), ("country_code", "US")]), contact.location == "/checkout/shipping",
          let shipping = step(3, "GET", "/checkout/shipping"), let rate = field(shipping.body, "shipping_rate"),
          let chosen = step(4, "POST", "/checkout/shipping", [("_csrf", csrf), ("shipping_rate", rate)]),
          chosen.location == "/checkout/payment",
          let payment = step(5, "GET", "/checkout/payment"), let key = field(payment.body, "idempotency_key"),
          let method = field(payment.body, "payment_method"),
          let placed = step(6, "POST", "/checkout/complete", [("_csrf", csrf), ("idempotency_key", key), ("payment_method", method)])
    else { return false }
    return placed.status == 303 && (placed.location ?? "").hasPrefix("/orders/")
}

// MARK: - Buyers as processes, results through files

let begin = now()
let measureFrom = begin + options.warmup
let measureUntil = measureFrom + duration
let folder = "/tmp/sf-checkout-driver-\(getpid())"
mkdir(folder, 0o700)
var children: [pid_t] = []
for n in 0..<buyers {
    let child = fork()
    if child == 0 {
        srandom(UInt32(n) &* 2654435761 &+ UInt32(truncatingIfNeeded: getpid()))
        var samples = ""
        var done = 0
        var failed = 0
        var perHost: [String: Buyer] = [:]
        var i = 0
        while now() < measureUntil {
            let store = stores[Int(random()) % stores.count]
            let buyer = perHost[store.host] ?? Buyer(host: store.host)
            perHost[store.host] = buyer
            let counted = now() >= measureFrom
            var local = ""
            let ok = purchase(buyer, variant: store.variants[Int(random()) % store.variants.count],
                              email: "bench\(n)-\(i)@example.com") { index, ms in
                local += "\(index) \(ms)\n"
            }
            if !ok { buyer.drop() }
            i += 1
            if counted && now() < measureUntil {
                samples += local
                if ok { done += 1 } else { failed += 1 }
            }
        }
        samples += "done \(done) \(failed)\n"
        let path = "\(folder)/\(n)"
        guard let file = fopen(path, "w") else { exit(3) }
        fputs(samples, file)
        fclose(file)
        exit(0)
    }
    children.append(child)
}
for child in children {
    var status: Int32 = 0
    waitpid(child, &status, 0)
}

var timings = [[Double]](repeating: [], count: steps.count)
var done = 0
var failed = 0
for n in 0..<buyers {
    let path = "\(folder)/\(n)"
    guard let file = fopen(path, "r") else { continue }
    var line: UnsafeMutablePointer<CChar>?
    var capacity = 0
    while getline(&line, &capacity, file) > 0 {
        var text = String(cString: line!)
        if text.hasSuffix("\n") { text.removeLast() }
        let parts = text.split(separator: " ")
        if parts.first == "done", parts.count == 3 {
            done += Int(parts[1]) ?? 0
            failed += Int(parts[2]) ?? 0
        } else if parts.count == 2, let index = Int(parts[0]), let ms = Double(parts[1]) {
            timings[index].append(ms)
        }
    }
    free(line)
    fclose(file)
    unlink(path)
}
rmdir(folder)

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let index = min(sorted.count - 1, Int((p / 100 * Double(sorted.count - 1)).rounded()))
    return sorted[index]
}

func rounded(_ value: Double) -> String {
    let tenths = (value * 10).rounded() / 10
    return String(tenths)
}

var stepJSON: [String] = []
for (index, name) in steps.enumerated() {
    stepJSON.append("\"\(name)\": {\"count\": \(timings[index].count), \"p50_ms\": \(rounded(percentile(timings[index], 50))), "
                    + "\"p99_ms\": \(rounded(percentile(timings[index], 99)))}")
}
print("{\"buyers\": \(buyers), \"stores\": \(stores.count), \"seconds\": \(rounded(duration)), \"checkouts\": \(done), "
      + "\"failed\": \(failed), \"checkouts_per_second\": \(rounded(Double(done) / duration)), "
      + "\"steps\": {\(stepJSON.joined(separator: ", "))}}")
