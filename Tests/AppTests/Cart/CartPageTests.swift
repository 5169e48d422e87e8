import Commerce
import Foundation
import HTTP
import Postgres
import Registry
import Testing
@testable import App

/// A store with a few products for cart tests, and a shopper's browser on it.
struct CartStore {
    let stack: AppStack
    let store: ProvisionedStore
    let db: Connection
    let handler: (Request) -> Response

    init(_ stack: AppStack, prefix: String, handler: ((Request) -> Response)? = nil) throws {
        self.stack = stack
        store = try stack.provisionStore(prefix: prefix, name: "Cart Test Shop")
        db = try stack.tenantConnection(store)
        self.handler = try handler ?? stack.handler()
    }

    var host: String { stack.host(store) }
    /// The cart tests' browser (raw `Set-Cookie` lines, optional `Origin`, extra headers).
    func browser() -> CartBrowser { CartBrowser(handler: handler, host: host) }
    /// The shared shopper client of the customer and checkout tests, on this store.
    /// (Cannot throw: the handler is given, so nothing is built.)
    func shopper() -> ShopperClient { try! ShopperClient(stack, store: store, handler: handler) }

    /// An active product with one variant; returns (handle, variant id).
    func product(_ title: String, priceMinor: Int64, stock: Int = 10, status: String = "active",
                 variantTitle: String = "Default Title") throws -> (handle: String, variantId: Int64) {
        let handle = AppStack.handle(title) + "-" + String(Int.random(in: 1000...99_999))
        let p = try db.queryFirst("""
            INSERT INTO products (handle, title, status, published_at)
            VALUES (\(handle), \(title), \(status), now()) RETURNING id
            """)!
        let id: Int64 = try p.decode("id")
        let v = try db.queryFirst("""
            INSERT INTO variants (product_id, position, title, price_minor, inventory_quantity)
            VALUES (\(id), 1, \(variantTitle), \(priceMinor), \(stock)) RETURNING id
            """)!
        return (handle, try v.decode("id"))
    }

    func cartRows() throws -> Int {
        try db.queryFirst("SELECT count(*) AS n FROM cart_items")!.decode("n", as: Int.self)
    }
}

@Suite("Cart pages: add, change, update, remove, clear")
struct CartPageTests {
    @Test("the product page's form adds to the cart; cookies set; the cart page shows the line")
    func addFromProductPage() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try CartStore(stack, prefix: "cart-add")
        let mug = try shop.product("Glazed Mug", priceMinor: 1_250)
        let browser = shop.browser()

        // The form on the product page: its action and field names.
        let productPage = try browser.get("/products/" + mug.handle).text
        #expect(productPage.contains("action=\"/cart/add\""))
        #expect(productPage.contains("name=\"id\" value=\"\(mug.variantId)\""))
        #expect(productPage.contains("name=\"quantity\""))

        let added = try browser.post("/cart/add", [("id", String(mug.variantId)), ("quantity", "2")], csrf: "")
        #expect(added.status == .seeOther)
        #expect(added.headers["Location"] == "/cart")
        let cartCookie = try #require(browser.setCookie("sf_cart"))
        #expect(cartCookie.contains("HttpOnly"))
        #expect(cartCookie.contains("Max-Age=2592000"))
        let countCookie = try #require(browser.setCookie("sf_cart_count"))
        #expect(countCookie.hasPrefix("sf_cart_count=2;"))
        #expect(!countCookie.contains("HttpOnly"))

        let page = try browser.follow(added)
        #expect(page.status == .ok)
        #expect(page.headers["Cache-Control"] == "no-store")
        let html = page.text
        #expect(html.contains("Glazed Mug is in your cart."))
        #expect(html.contains("Glazed Mug"))
        #expect(html.contains("$12.50"))                     // unit price
        #expect(html.contains("$25"))                        // line total and subtotal
        #expect(html.contains("name=\"updates[\(mug.variantId)]\" value=\"2\""))
        #expect(html.contains("action=\"/cart/update\""))
        #expect(html.contains("name=\"checkout\""))
        #expect(html.contains("aria-label=\"Cart, 2 items\""))
        #expect(html.contains("role=\"status\""))

        // return_to: back to the product page (a local path only).
        let again = try browser.post("/cart/add", [("id", String(mug.variantId)), ("return_to", "/products/" + mug.handle)], csrf: "")
        #expect(again.headers["Location"] == "/products/" + mug.handle)
        #expect(browser.cookies["sf_cart_count"] == "3")
        let offsite = try browser.post("/cart/add", [("id", String(mug.variantId)), ("return_to", "//evil.example/x")], csrf: "")
        #expect(offsite.headers["Location"] == "/cart")
    }

    @Test("change, update (with note), remove and clear")
    func changeUpdateRemoveClear() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try CartStore(stack, prefix: "cart-edit")
        let mug = try shop.product("Glazed Mug", priceMinor: 1_000)
        let bowl = try shop.product("Stoneware Bowl", priceMinor: 2_000, variantTitle: "Large / Blue")
        let browser = shop.browser()
        try browser.post("/cart/add", [("id", String(mug.variantId))], csrf: "")
        try browser.post("/cart/add", [("id", String(bowl.variantId))], csrf: "")
        #expect(try browser.get("/cart").text.contains("Large / Blue"))

        var r = try browser.post("/cart/change", [("id", String(mug.variantId)), ("quantity", "4")])
        #expect(r.status == .seeOther)
        #expect(browser.cookies["sf_cart_count"] == "5")
        r = try browser.post("/cart/change", [("line", "2"), ("quantity", "2")])
        #expect(browser.cookies["sf_cart_count"] == "6")

        _ = try browser.get("/cart")
        r = try browser.post("/cart/update", [("updates[\(mug.variantId)]", "1"), ("updates[\(bowl.variantId)]", "3"),
                                              ("note", "Please gift wrap")])
        #expect(r.headers["Location"] == "/cart")
        var html = try browser.follow(r).text
        #expect(html.contains("Please gift wrap"))
        #expect(html.contains("$70"))                        // 1 × $10 + 3 × $20
        #expect(browser.cookies["sf_cart_count"] == "4")

        r = try browser.post("/cart/update", [("updates[\(mug.variantId)]", "1"), ("checkout", "1")])
        #expect(r.headers["Location"] == "/checkout")

        _ = try browser.get("/cart")
        // A price that changed meanwhile is still reported when another line is removed.
        try shop.db.execute("UPDATE variants SET price_minor = 2500 WHERE id = \(bowl.variantId)")
        r = try browser.post("/cart/remove", [("id", String(mug.variantId))])
        html = try browser.follow(r).text
        #expect(html.contains("Removed Glazed Mug from your cart."))
        #expect(html.contains("The price of Stoneware Bowl – Large / Blue changed from $20.00 to $25.00."))
        #expect(!html.contains("updates[\(mug.variantId)]"))
        #expect(browser.cookies["sf_cart_count"] == "3")

        r = try browser.post("/cart/clear", [])
        html = try browser.follow(r).text
        #expect(html.contains("Your cart is empty."))
        #expect(html.contains("href=\"/collections/all\""))
        #expect(browser.cookies["sf_cart_count"] == "0")
        #expect(try shop.cartRows() == 0)
    }

    @Test("price change, stock lowered and sold out are shown at the top of the cart")
    func recheckNotices() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try CartStore(stack, prefix: "cart-notice")
        let mug = try shop.product("Glazed Mug", priceMinor: 1_000, stock: 10)
        let bowl = try shop.product("Stoneware Bowl", priceMinor: 2_000, stock: 10)
        let vase = try shop.product("Tall Vase", priceMinor: 3_000, stock: 10)
        let browser = shop.browser()
        try browser.post("/cart/add", [("id", String(mug.variantId))], csrf: "")
        try browser.post("/cart/add", [("id", String(bowl.variantId)), ("quantity", "6")], csrf: "")
        try browser.post("/cart/add", [("id", String(vase.variantId))], csrf: "")

        try shop.db.execute("UPDATE variants SET price_minor = 1200 WHERE id = \(mug.variantId)")
        try shop.db.execute("UPDATE variants SET inventory_quantity = 2 WHERE id = \(bowl.variantId)")
        try shop.db.execute("UPDATE variants SET inventory_quantity = 0 WHERE id = \(vase.variantId)")

        let html = try browser.get("/cart").text
        #expect(html.contains("The price of Glazed Mug changed from $10.00 to $12.00."))
        #expect(html.contains("Only 2 of Stoneware Bowl are left; we changed the quantity in your cart."))
        #expect(html.contains("Tall Vase is sold out and was removed from your cart."))
        #expect(html.contains("name=\"updates[\(bowl.variantId)]\" value=\"2\""))
        #expect(!html.contains("updates[\(vase.variantId)]"))
        #expect(browser.cookies["sf_cart_count"] == "3")     // the stale count is put right
    }

    @Test("adding more than is in stock caps it with a message; sold out and unpublished are refused")
    func stockAndAvailabilityOnAdd() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try CartStore(stack, prefix: "cart-stock")
        let mug = try shop.product("Glazed Mug", priceMinor: 1_000, stock: 3)
        let gone = try shop.product("Sold Out Jug", priceMinor: 1_000, stock: 0)
        let draft = try shop.product("Secret Draft", priceMinor: 1_000, status: "draft")
        let browser = shop.browser()

        // A first add that is refused makes no cart (the new cart and its line are one transaction).
        let refused = try browser.post("/cart/add", [("id", String(gone.variantId))], csrf: "")
        #expect(try browser.follow(refused).text.contains("Sold Out Jug is sold out."))
        #expect(try shop.db.queryFirst("SELECT count(*) AS n FROM carts")!.decode("n", as: Int.self) == 0)
        #expect(browser.cookies["sf_cart"] == nil)

        var r = try browser.post("/cart/add", [("id", String(mug.variantId)), ("quantity", "8")], csrf: "")
        var html = try browser.follow(r).text
        #expect(html.contains("Only 3 of Glazed Mug are left; we changed the quantity in your cart."))
        #expect(browser.cookies["sf_cart_count"] == "3")

        r = try browser.post("/cart/add", [("id", String(gone.variantId))], csrf: "")
        html = try browser.follow(r).text
        #expect(html.contains("Sold Out Jug is sold out."))
        #expect(html.contains("role=\"alert\""))

        r = try browser.post("/cart/add", [("id", String(draft.variantId))], csrf: "")
        html = try browser.follow(r).text
        #expect(html.contains("Secret Draft is not available."))
        #expect(browser.cookies["sf_cart_count"] == "3")
        #expect(try shop.cartRows() == 1)
    }

    @Test("bad input is refused with a message and changes nothing")
    func badInput() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try CartStore(stack, prefix: "cart-bad")
        let mug = try shop.product("Glazed Mug", priceMinor: 1_000)
        let browser = shop.browser()
        try browser.post("/cart/add", [("id", String(mug.variantId))], csrf: "")

        let cases: [(String, [(String, String)], String)] = [
            ("/cart/add", [("id", "abc")], "Choose an item to add to your cart."),
            ("/cart/add", [("id", "999999999")], "That item could not be found."),
            ("/cart/add", [("id", String(mug.variantId)), ("quantity", "0")], "Enter a quantity from 1 to 10000."),
            ("/cart/add", [("id", String(mug.variantId)), ("quantity", "10001")], "Enter a quantity from 1 to 10000."),
            ("/cart/add", [("id", String(mug.variantId)), ("quantity", "2.5")], "Enter a quantity from 1 to 10000."),
            ("/cart/add", [("id", String(mug.variantId)), ("quantity", "-3")], "Enter a quantity from 1 to 10000."),
            ("/cart/change", [("id", String(mug.variantId)), ("quantity", "lots")], "Enter a quantity from 1 to 10000."),
            ("/cart/change", [("line", "7"), ("quantity", "1")], "That item is no longer in your cart."),
            ("/cart/update", [("updates[\(mug.variantId)]", "x")], "Enter a quantity from 1 to 10000."),
        ]
        for (path, fields, message) in cases {
            _ = try browser.get("/cart")
            let r = try browser.post(path, fields, csrf: path == "/cart/add" ? "" : nil)
            #expect(r.status == .seeOther, "\(path) \(fields)")
            let html = try browser.follow(r).text
            #expect(html.contains(message), "\(path) \(fields)")
            #expect(html.contains("name=\"updates[\(mug.variantId)]\" value=\"1\""), "\(path) \(fields)")
        }
        // Scripts asking for JSON get a 400.
        let json = try browser.post("/cart/add", [("id", "abc")], csrf: "", headers: [("Accept", "application/json")])
        #expect(json.status == .badRequest)
        #expect(json.text.contains("Choose an item"))
        #expect(browser.cookies["sf_cart_count"] == "1")
    }

    @Test("a POST from another site, or without the form's token, is refused and changes nothing")
    func csrfAndOrigin() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try CartStore(stack, prefix: "cart-csrf")
        let mug = try shop.product("Glazed Mug", priceMinor: 1_000)
        let browser = shop.browser()
        try browser.post("/cart/add", [("id", String(mug.variantId))], csrf: "")
        _ = try browser.get("/cart")

        let noOrigin = try browser.post("/cart/add", [("id", String(mug.variantId))], csrf: "", origin: String?.none)
        #expect(noOrigin.status == .forbidden)
        #expect(try browser.post("/cart/add", [("id", String(mug.variantId))], csrf: "", origin: "https://evil.example").status == .forbidden)
        #expect(try browser.post("/cart/change", [("id", String(mug.variantId)), ("quantity", "5")], csrf: "").status == .forbidden)
        #expect(try browser.post("/cart/change", [("id", String(mug.variantId)), ("quantity", "5")], csrf: "forged-token-forged-token-12").status == .forbidden)
        #expect(try browser.post("/cart/change", [("id", String(mug.variantId)), ("quantity", "5")], origin: "https://evil.example").status == .forbidden)
        #expect(try browser.post("/cart/clear", [], csrf: "").status == .forbidden)
        #expect(try browser.post("/cart/update", [("updates[\(mug.variantId)]", "9")], csrf: "").status == .forbidden)

        let html = try browser.get("/cart").text
        #expect(html.contains("name=\"updates[\(mug.variantId)]\" value=\"1\""))
        #expect(try shop.cartRows() == 1)
    }

    @Test("a cart token from one store means nothing in another")
    func isolationBetweenStores() throws {
        guard let stack = try AppStack.required() else { return }
        let handler = try stack.handler()
        let a = try CartStore(stack, prefix: "cart-iso-a", handler: handler)
        let b = try CartStore(stack, prefix: "cart-iso-b", handler: handler)
        let mug = try a.product("Glazed Mug", priceMinor: 1_000)
        _ = try b.product("Other Thing", priceMinor: 500)
        let inA = a.browser()
        try inA.post("/cart/add", [("id", String(mug.variantId))], csrf: "")
        let token = try #require(inA.cookies["sf_cart"])

        let inB = b.browser()
        inB.cookies["sf_cart"] = token
        inB.cookies["sf_cart_count"] = "1"
        let html = try inB.get("/cart").text
        #expect(html.contains("Your cart is empty."))
        #expect(!html.contains("Glazed Mug"))
        #expect(inB.cookies["sf_cart"] == nil)                // the stray token is forgotten
        inB.cookies["sf_cart"] = token
        let json = try inB.get("/cart.js").text
        #expect(json.contains("\"item_count\":0"))
        // Changing it there does nothing to store A's cart.
        _ = try inB.get("/cart")
        inB.cookies["sf_cart"] = token
        _ = try inB.post("/cart/clear", [])
        #expect(try a.cartRows() == 1)
    }

    @Test("/cart.js returns the cart as JSON for scripts")
    func cartJSON() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try CartStore(stack, prefix: "cart-json")
        let mug = try shop.product("Glazed Mug", priceMinor: 1_250)
        let browser = shop.browser()
        #expect(try browser.get("/cart.js").text.contains("\"item_count\":0"))
        try browser.post("/cart/add", [("id", String(mug.variantId)), ("quantity", "2")], csrf: "")
        let r = try browser.get("/cart.js")
        #expect(r.headers["Content-Type"]?.contains("application/json") == true)
        #expect(r.headers["Cache-Control"] == "no-store")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [String: Any])
        let itemCount = body["item_count"] as? Int
        let totalPrice = body["total_price"] as? Int
        #expect(itemCount == 2)
        #expect(totalPrice == 2_500)
        let items = try #require(body["items"] as? [[String: Any]])
        #expect(items.count == 1)
        let item = try #require(items.first)
        let variantId = item["variant_id"] as? Int
        let linePrice = item["line_price"] as? Int
        let url = item["url"] as? String
        #expect(variantId == Int(mug.variantId))
        #expect(linePrice == 2_500)
        #expect(url == "/products/" + mug.handle)

        // A script adding with Accept: application/json gets the cart back, not a redirect.
        let added = try browser.post("/cart/add", [("id", String(mug.variantId))], csrf: "",
                                     headers: [("Accept", "application/json")])
        #expect(added.status == .ok)
        #expect(added.text.contains("\"item_count\":3"))
        #expect(browser.cookies["sf_cart_count"] == "3")
    }

    @Test("a logged-in customer finds the cart they left open in another browser")
    func customerCartFollowsThem() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try CartStore(stack, prefix: "cart-follow")
        let mug = try shop.product("Glazed Mug", priceMinor: 1_000)
        let bowl = try shop.product("Stoneware Bowl", priceMinor: 2_000)
        let customerId: Int64 = try shop.db.queryFirst("INSERT INTO customers (email, password_hash) VALUES ('ada@example.com', 'scrypt-not-used-here') RETURNING id")!.decode("id")

        let laptop = shop.browser()
        laptop.cookies["sf_customer"] = try CustomerSessions.create(shop.db, customerId: customerId)
        try laptop.post("/cart/add", [("id", String(mug.variantId)), ("quantity", "2")], csrf: "")
        #expect(try Carts.open(shop.db, token: try #require(laptop.cookies["sf_cart"]))?.customerId == customerId)

        let phone = shop.browser()
        phone.cookies["sf_customer"] = try CustomerSessions.create(shop.db, customerId: customerId)
        let html = try phone.get("/cart").text
        #expect(html.contains("name=\"updates[\(mug.variantId)]\" value=\"2\""))
        #expect(phone.cookies["sf_cart_count"] == "2")
        try phone.post("/cart/add", [("id", String(bowl.variantId))], csrf: "")
        #expect(phone.cookies["sf_cart_count"] == "3")
        #expect(try shop.db.queryFirst("SELECT count(*) AS n FROM carts WHERE status = 'open'")!.decode("n", as: Int.self) == 1)

        // A guest browser sees none of it.
        #expect(try shop.browser().get("/cart").text.contains("Your cart is empty."))
    }

    @Test("the header links to the cart and the account; cached pages carry no shopper's count")
    func headerLinks() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try CartStore(stack, prefix: "cart-header")
        let mug = try shop.product("Glazed Mug", priceMinor: 1_000)
        let browser = shop.browser()
        try browser.post("/cart/add", [("id", String(mug.variantId)), ("quantity", "3")], csrf: "")
        let home = try browser.get("/").text
        #expect(home.contains("href=\"/cart\""))
        #expect(home.contains("href=\"/account\""))
        #expect(home.contains("data-cart-count"))
        #expect(home.contains("cart.js"))
        #expect(!home.contains("Cart, 3 items"))              // cached: the script fills it in
        #expect(try browser.get("/cart").text.contains("aria-label=\"Cart, 3 items\""))
    }
}
