import Foundation
import HTTP
import Integrations
import Testing
@testable import App

/// `GET /checkout/pay/<public_token>` on the store's host, against localstripe: the order's
/// PaymentIntent is a destination charge with the platform fee, made once per order.
@Suite("Card pay page")
struct PayPageTests {
    func pay(_ handle: (Request) -> Response, _ shop: PaymentShop, token: String) throws -> Response {
        handle(try Request(uri: "/checkout/pay/" + token, host: shop.stack.host(shop.store)))
    }

    static func clientSecret(in html: String) -> String? {
        guard let r = html.range(of: "data-client-secret=\"") else { return nil }
        let rest = html[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    @Test func thePageMakesADestinationChargeWithThePlatformFeeOncePerOrder() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try PaymentShop(stack, prefix: "pay-pi", realAccount: true)
        let handle = try stack.handler()
        let order = try shop.pendingOrder(totalMinor: 12_345)

        let page = try pay(handle, shop, token: order.token)
        #expect(page.status == .ok)
        #expect(page.headers["Cache-Control"] == "no-store")
        let html = try page.bodyText()
        #expect(html.contains("Pay by card"))
        #expect(html.contains(try stack.stack.value("STOREFLEET_STRIPE_JS_URL")))
        #expect(html.contains(try stack.stack.value("STOREFLEET_STRIPE_PUBLISHABLE_KEY")))
        #expect(!html.contains(try stack.stack.value("STOREFLEET_STRIPE_SECRET_KEY")))
        let secret = try #require(Self.clientSecret(in: html))

        // The payment row, and what Stripe holds for it: 2 % of 123.45 = 2.469 → 2.47, + 0.30.
        let payments = try shop.payments(order.id)
        #expect(payments.count == 1)
        let reference = try #require(payments.first?.reference)
        #expect(payments.first?.status == "pending")
        #expect(payments.first?.fee == 277)
        #expect(secret.hasPrefix(reference + "_secret_"))
        let intent = try PaymentShop.stripe(stack).retrievePaymentIntent(reference)
        #expect(intent.amount == 12_345)
        #expect(intent.currency == "usd")
        #expect(intent.applicationFeeAmount == 277)
        #expect(intent.transferData?.destination == shop.accountId)
        #expect(intent.metadata["order_id"] == String(order.id))
        #expect(intent.metadata["store_id"] == String(shop.store.storeId))
        #expect(intent.metadata["store_slug"] == shop.store.slug)

        // A reload reuses the same PaymentIntent.
        let again = try pay(handle, shop, token: order.token)
        #expect(Self.clientSecret(in: try again.bodyText()) == secret)
        #expect(try shop.payments(order.id).count == 1)
    }

    @Test func aPaidOrderGoesToItsStatusPageAndACancelledOneSaysSo() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try PaymentShop(stack, prefix: "pay-states")
        let handle = try stack.handler()

        let paid = try shop.pendingOrder()
        try shop.db.execute("UPDATE orders SET financial_status = 'paid', paid_at = now() WHERE id = \(paid.id)")
        let toStatus = try pay(handle, shop, token: paid.token)
        #expect(toStatus.status.code == 303)
        #expect(toStatus.headers["Location"] == "/orders/" + paid.token)

        let cancelled = try shop.pendingOrder()
        try shop.db.execute("""
            UPDATE orders SET status = 'cancelled', cancelled_at = now(), cancel_reason = 'payment_expired' WHERE id = \(cancelled.id)
            """)
        let page = try pay(handle, shop, token: cancelled.token)
        #expect(page.status == .conflict)
        #expect(try page.bodyText().contains("This order was cancelled"))
        #expect(try shop.payments(cancelled.id).isEmpty)

        #expect(try pay(handle, shop, token: "doesnotexist0000000000000").status == .notFound)
        #expect(try pay(handle, shop, token: "bad%27token").status == .notFound)
    }

    @Test func withoutChargesEnabledThereIsNoCardForm() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try PaymentShop(stack, prefix: "pay-off", chargesEnabled: false)
        let handle = try stack.handler()
        let order = try shop.pendingOrder()
        let page = try pay(handle, shop, token: order.token)
        #expect(page.status == .serviceUnavailable)
        let html = try page.bodyText()
        #expect(html.contains("Card payment is not available right now"))
        #expect(!html.contains("pay-form"))
        #expect(try shop.payments(order.id).isEmpty)
    }

    @Test func bothThemesRenderThePayPage() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try PaymentShop(stack, prefix: "pay-mono", realAccount: true)
        let order = try shop.pendingOrder()
        for theme in ["atelier", "mono"] {
            try shop.db.transaction { db in
                try db.execute("UPDATE theme_settings SET is_current = false WHERE is_current AND theme <> \(theme)")
                try db.execute("""
                    INSERT INTO theme_settings (theme, is_current) VALUES (\(theme), true)
                    ON CONFLICT (theme) DO UPDATE SET is_current = true
                    """)
            }
            // A fresh worker: nothing of the other theme cached.
            let page = try pay(try stack.handler(), shop, token: order.token)
            #expect(page.status == .ok, "theme \(theme)")
            let html = try page.bodyText()
            #expect(html.contains("id=\"card-element\""), "theme \(theme)")
            #expect(html.contains("/\(theme)/") && html.contains("pay.css"), "theme \(theme)")
        }
    }
}
