import Crypto
import Foundation
import Glibc
import Postgres
import Registry
import Testing
import TestSupport

/// Checkout through nginx and the stack's workers: 50 buyers, each with their own cookies and
/// cart, race for the last 10 units; one "Place order" form sent five times at once; the
/// confirmation mail delivered by the stack's job runner to the SMTP catcher.
extension ThroughTheStack {
@Suite("Checkout through nginx")
struct CheckoutThroughNginxTests {
    /// A shopper's browser over `RawHTTPClient`: cookies, the last page's `_csrf`, and the
    /// `Origin` header a browser sends with a POST.
    final class Shopper: @unchecked Sendable {   // each one is used by one thread at a time
        let port: Int
        let host: String
        var cookies: [String: String] = [:]
        var csrf = ""

        init(port: Int, host: String) {
            self.port = port
            self.host = host
        }

        @discardableResult
        func send(_ method: String, _ target: String, form: [(String, String)]? = nil) throws -> RawHTTPResponse {
            var headers: [(String, String)] = []
            if !cookies.isEmpty { headers.append(("Cookie", cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))) }
            var body: [UInt8] = []
            if let form {
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
                headers.append(("Origin", "http://\(host):\(port)"))
                let fields = (csrf.isEmpty ? [] : [("_csrf", csrf)]) + form
                body = Array(fields.map { Shopper.encode($0.0) + "=" + Shopper.encode($0.1) }.joined(separator: "&").utf8)
            }
            let response = try RawHTTPClient.request(port: port, method: method, target: target, host: host,
                                                     headers: headers, body: body, timeoutSeconds: 60)
            for (name, value) in response.headers where name.lowercased() == "set-cookie" {
                let pair = value.split(separator: ";", maxSplits: 1)[0]
                guard let eq = pair.firstIndex(of: "=") else { continue }
                let key = String(pair[..<eq]), v = String(pair[pair.index(after: eq)...])
                cookies[key] = value.contains("Max-Age=0") || v.isEmpty ? nil : v
            }
            if let r = response.text.range(of: "name=\"_csrf\" value=\"") {
                csrf = String(response.text[r.upperBound...].prefix { $0 != "\"" })
            }
            return response
        }

        /// Cart → information → shipping → the payment page; returns its idempotency key.
        func toPayment(variantId: Int64, email: String, rateId: Int64) throws -> String {
            let added = try send("POST", "/cart/add", form: [("id", String(variantId)), ("quantity", "1")])
            guard added.status == 303 else { throw Failure("add to cart: \(added.status)") }
            try send("GET", "/checkout")
            let info = try send("POST", "/checkout", form: [
                ("email", email), ("first_name", "Ada"), ("last_name", "Buyer"), ("address1", "1 Race Street"),
                ("city", "Springfield"), ("province_code", "IL"), ("postal_code", "62701"), ("country_code", "US")])
            guard info.header("Location") == "/checkout/shipping" else { throw Failure("information: \(info.status)") }
            let ship = try send("POST", "/checkout/shipping", form: [("shipping_rate", String(rateId))])
            guard ship.header("Location") == "/checkout/payment" else { throw Failure("shipping: \(ship.status)") }
            let page = try send("GET", "/checkout/payment").text
            guard let r = page.range(of: "name=\"idempotency_key\" value=\"") else { throw Failure("no key on the payment page") }
            return String(page[r.upperBound...].prefix { $0 != "\"" })
        }

        static func encode(_ s: String) -> String {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// A new store with one product (`stock` units), a US zone with a flat rate, bank transfer.
    struct Shop {
        let host: String
        let db: Connection
        let variantId: Int64
        let rateId: Int64
        let bankId: Int64

        init(_ stack: StackEnvironment, prefix: String, stock: Int) throws {
            let slug = StorefleetCLI.uniqueSlug(prefix)
            try StorefleetCLI(stack: stack).run("provision", "--slug", slug, "--name", "Race \(slug.suffix(8))")
            host = slug + "." + (try stack.platformDomain())
            let owner = try Connection(url: try stack.value("STOREFLEET_REGISTRY_OWNER_URL"))
            let keyring = try Keyring.load(file: try stack.value("STOREFLEET_MASTER_KEY_FILE"), environment: [:])
            let storeId: Int64 = try owner.queryFirst("SELECT id FROM stores WHERE slug = \(slug)")!.decode("id")
            db = try TenantConnector.open(storeId: storeId, registry: owner, keyring: keyring)
            let product: Int64 = try db.queryFirst("""
                INSERT INTO products (handle, title, status, published_at) VALUES ('last-lamp', 'Last Lamp', 'active', now())
                RETURNING id
                """)!.decode("id")
            variantId = try db.queryFirst("""
                INSERT INTO variants (product_id, position, price_minor, inventory_quantity) VALUES (\(product), 1, 4000, \(stock))
                RETURNING id
                """)!.decode("id")
            let zone: Int64 = try db.queryFirst("INSERT INTO shipping_zones (name) VALUES ('US') RETURNING id")!.decode("id")
            try db.execute("INSERT INTO shipping_zone_countries (zone_id, country_code) VALUES (\(zone), 'US')")
            rateId = try db.queryFirst("""
                INSERT INTO shipping_rates (zone_id, name, kind, price_minor) VALUES (\(zone), 'Standard', 'flat', 500) RETURNING id
                """)!.decode("id")
            bankId = try db.queryFirst("""
                INSERT INTO payment_providers (kind, name, enabled, instructions)
                VALUES ('bank_transfer', 'Bank transfer', true, 'IBAN DE89 3704 0044 0532 0130 00') RETURNING id
                """)!.decode("id")
        }

        func count(_ sql: String) throws -> Int { try db.queryFirst(Query(unsafeSQL: sql))!.decode(0, as: Int.self) }
    }

    /// Collects what each concurrent buyer saw.
    final class Outcomes: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var list: [String] = []
        func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
        func count(_ prefix: String) -> Int { lock.lock(); defer { lock.unlock() }; return list.filter { $0.hasPrefix(prefix) }.count }
    }

    @Test("50 buyers, 10 units: exactly 10 orders, 40 sold-out messages, stock 0")
    func lastTenUnits() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let port = try stack.httpPort()
        let shop = try Shop(stack, prefix: "co-race", stock: 10)
        let buyers = 50
        // Everyone gets to the payment page first (all 50 carts hold the lamp), then all place at once.
        var shoppers: [(Shopper, String)] = []
        for n in 0..<buyers {
            let shopper = Shopper(port: port, host: shop.host)
            shoppers.append((shopper, try shopper.toPayment(variantId: shop.variantId, email: "racer\(n)@example.com",
                                                            rateId: shop.rateId)))
        }
        let outcomes = Outcomes()
        let ready = shoppers
        let bankId = shop.bankId
        DispatchQueue.concurrentPerform(iterations: buyers) { n in
            let (shopper, key) = ready[n]
            do {
                let placed = try shopper.send("POST", "/checkout/complete",
                                              form: [("idempotency_key", key), ("payment_method", String(bankId))])
                let location = placed.header("Location") ?? "status \(placed.status)"
                if location.hasPrefix("/orders/") { outcomes.add("order"); return }
                guard location == "/cart" else { outcomes.add("other: \(location)"); return }
                let cart = try shopper.send("GET", "/cart").text
                outcomes.add(cart.lowercased().contains("sold out") ? "sold out" : "cart without message")
            } catch {
                outcomes.add("error: \(error)")
            }
        }
        #expect(outcomes.count("order") == 10, "\(outcomes.list)")
        #expect(outcomes.count("sold out") == 40, "\(outcomes.list)")
        #expect(try shop.count("SELECT count(*) FROM orders") == 10)
        #expect(try shop.count("SELECT inventory_quantity FROM variants") == 0)
        #expect(try shop.count("SELECT count(*) FROM inventory_movements WHERE reason = 'order'") == 10)
        #expect(try shop.count("SELECT count(*) FROM carts WHERE status = 'converted'") == 10)
    }

    @Test("one 'Place order' form sent five times at once: one order, every answer names it")
    func doubleSubmit() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let port = try stack.httpPort()
        let shop = try Shop(stack, prefix: "co-dup", stock: 5)
        let shopper = Shopper(port: port, host: shop.host)
        let key = try shopper.toPayment(variantId: shop.variantId, email: "twice@example.com", rateId: shop.rateId)
        let outcomes = Outcomes()
        let bankId = shop.bankId
        DispatchQueue.concurrentPerform(iterations: 5) { _ in
            // The same cookies and form each time, as a double-clicking browser sends them.
            let copy = Shopper(port: shopper.port, host: shopper.host)
            copy.cookies = shopper.cookies
            copy.csrf = shopper.csrf
            do {
                let r = try copy.send("POST", "/checkout/complete", form: [("idempotency_key", key), ("payment_method", String(bankId))])
                outcomes.add(r.header("Location") ?? "status \(r.status)")
            } catch {
                outcomes.add("error: \(error)")
            }
        }
        let locations = Set(outcomes.list)
        #expect(locations.count == 1, "\(outcomes.list)")
        #expect(locations.first?.hasPrefix("/orders/") == true)
        #expect(try shop.count("SELECT count(*) FROM orders") == 1)
        #expect(try shop.count("SELECT inventory_quantity FROM variants") == 4)
    }

    @Test("the confirmation mail reaches the SMTP catcher with the number, lines, total and status link")
    func confirmationMail() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let port = try stack.httpPort()
        let shop = try Shop(stack, prefix: "co-mail", stock: 5)
        let email = "mail-\(SecureRandom.token(bytes: 6).lowercased().filter { $0.isLetter || $0.isNumber })@example.com"
        let shopper = Shopper(port: port, host: shop.host)
        let key = try shopper.toPayment(variantId: shop.variantId, email: email, rateId: shop.rateId)
        let placed = try shopper.send("POST", "/checkout/complete", form: [("idempotency_key", key), ("payment_method", String(shop.bankId))])
        let location = try #require(placed.header("Location"))
        #expect(location.hasPrefix("/orders/"))
        let number = try shop.count("SELECT number FROM orders")
        let mail = try #require(CheckoutThroughNginxTests.caughtMail(mailDir: try stack.value("STOREFLEET_MAIL_DIR"), to: email, seconds: 30),
                                "no order confirmation to \(email) in the catcher")
        #expect(mail.contains("X-Storefleet-Kind: order_confirmation"))
        #expect(mail.contains("Your order number is #\(number)."))
        #expect(mail.contains("1 × Last Lamp"))
        #expect(mail.contains("Total: €45,00"))             // a store provisioned from the CLI sells in euros
        #expect(mail.contains("IBAN DE89"))
        #expect(mail.contains(location))
    }

    /// The decoded text of the caught mail to `address`, waiting for the runner and the catcher.
    static func caughtMail(mailDir: String, to address: String, seconds: Double) -> String? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        repeat {
            let index = (try? String(contentsOfFile: mailDir + "/index.jsonl", encoding: .utf8)) ?? ""
            for line in index.split(separator: "\n").reversed() where line.contains("\"\(address)\"") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let file = object["file"] as? String,
                      let raw = try? String(contentsOfFile: mailDir + "/" + file, encoding: .utf8) else { continue }
                return decodeQuotedPrintable(raw)
            }
            var pause = timespec(tv_sec: 0, tv_nsec: 200_000_000)
            nanosleep(&pause, nil)
        } while ContinuousClock.now < deadline
        return nil
    }

    /// Soft line breaks joined and `=XX` escapes decoded (UTF-8), enough to search the text.
    static func decodeQuotedPrintable(_ raw: String) -> String {
        let joined = raw.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
        var bytes: [UInt8] = []
        let u = Array(joined.utf8)
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "="), i + 2 < u.count, let v = UInt8(String(decoding: u[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                bytes.append(v)
                i += 3
            } else {
                bytes.append(u[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
}
