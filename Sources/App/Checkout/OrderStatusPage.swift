import Commerce
import HTTP
import Liquid

/// `GET /orders/<public_token>`: the confirmation right after checkout and the order's status
/// page later (from the email). The token is the only key; an unknown one is the theme's 404.
struct OrderStatusPage {
    let app: StorefleetApp
    let site: StoreSite

    func page(token: String) throws -> Response {
        guard token.count >= 20, token.count <= 64,
              token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw HTTPError(.notFound)
        }
        return try site.withTenant { db in
            guard let order = try OrderReceipt.load(db, publicToken: token) else { throw HTTPError(.notFound) }
            var response = try app.storefront.shopperPage(site, db: db, template: "order", title: "Order #\(order.number)",
                                                          assigns: ["order": OrderReceiptView(order).pageData])
            response.headers["Referrer-Policy"] = "no-referrer"
            return response
        }
    }
}
