import Commerce
import Foundation
import HTTP
import Integrations
import Postgres
import Testing
@testable import App

/// A card order refunded from the orders admin goes back through Stripe (localstripe here): the
/// refund id Stripe returns is recorded, and Stripe holds a refund of that amount.
@Suite("Store admin: card refunds through Stripe")
struct OrderStripeRefundTests {
    @Test("refunding part of a card payment calls Stripe and records its refund id")
    func refundThroughStripe() throws {
        guard let stack = try AppStack.required() else { return }
        let owner = try stack.createUser(name: "Carla Card")
        let shop = try PaymentShop(stack, prefix: "ord-card", orgId: owner.orgId, realAccount: true)
        let (orderId, _) = try shop.pendingOrder(totalMinor: 2_500)
        let stripe = try PaymentShop.stripe(stack)
        let intent = try stripe.createPaymentIntent(amountMinor: 2_500, currency: "usd", destination: shop.accountId,
                                                    applicationFeeMinor: 80, description: nil, metadata: [],
                                                    idempotencyKey: "sf-test-" + UUID().uuidString)
        let paid: StripePaymentIntent = try stripe.send(.post, "/v1/payment_intents/\(intent.id)/_authenticate",
                                                        fields: ["success": "true", "client_secret": .string(intent.clientSecret ?? "")])
        #expect(paid.status == "succeeded")
        #expect(try PaymentLedger.markPaid(shop.db, orderId: orderId, providerKind: "stripe", providerId: shop.providerId,
                                           reference: intent.id, amountMinor: 2_500, applicationFeeMinor: 80, actor: "system"))
        let number: Int64 = try shop.db.queryFirst("SELECT number FROM orders WHERE id = \(orderId)")!.decode("number")

        let client = try stack.signedInClient(userId: owner.userId)
        let url = "/store/\(shop.store.slug)/admin/orders/\(number)"
        let page = try client.get(url)
        #expect(page.status == .ok)
        #expect(!page.text.contains(">Mark as paid<"))
        let refunded = try client.post(url + "/refund", [("amount", "10.00"), ("reason", "Late delivery")])
        #expect(refunded.status == .seeOther)
        let row = try #require(try shop.db.queryFirst("SELECT provider_reference, amount_minor FROM refunds WHERE order_id = \(orderId)"))
        let refundId: String = try row.decode("provider_reference")
        #expect(refundId.hasPrefix("re_"))
        #expect(try row.decode("amount_minor", as: Int64.self) == 1_000)
        let atStripe: StripeRefund = try stripe.send(.get, "/v1/refunds/" + refundId)
        #expect(atStripe.amount == 1_000 && atStripe.paymentIntent == intent.id)
        #expect(try client.get(url).text.contains("Refunded 10.00 USD through Stripe (\(refundId)): Late delivery."))
        #expect(try shop.db.queryFirst("SELECT financial_status FROM orders WHERE id = \(orderId)")!
            .decode("financial_status", as: String.self) == "partially_refunded")
    }
}
