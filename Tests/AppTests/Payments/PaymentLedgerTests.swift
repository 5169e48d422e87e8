import Commerce
import Foundation
import Integrations
import Testing
@testable import App

/// The ledger, the fee arithmetic, and refunds through the Stripe gateway.
@Suite("Payment ledger and refunds")
struct PaymentLedgerTests {
    @Test func theFeeIsRoundedHalfUpPlusTheFixedPartAndNeverAboveTheAmount() {
        let fee = PlatformFee(ratePPM: 20_000, fixedMinor: 30)
        #expect(fee.fee(forAmount: 12_345) == 247 + 30)   // 246.9 → 247
        #expect(fee.fee(forAmount: 4_990) == 100 + 30)    // 99.8 → 100
        #expect(fee.fee(forAmount: 25) == 25)                // 1 + 30 is more than the charge
        #expect(fee.fee(forAmount: 0) == 0)
        #expect(PlatformFee(ratePPM: 25_000, fixedMinor: 0).fee(forAmount: 20) == 1)  // 0.5 → 1 (half up)
        #expect(PlatformFee(ratePPM: 25_000, fixedMinor: 0).fee(forAmount: 19) == 0)  // 0.475 → 0
        #expect(PlatformFee(ratePPM: 29_000, fixedMinor: 30).summary(currency: "EUR") == "2.9 % + 0.30 EUR")
    }

    @Test func markingAManualOrderPaidIsIdempotent() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try PaymentShop(stack, prefix: "ledger-manual")
        let order = try shop.pendingOrder(totalMinor: 1_999)
        #expect(try PaymentLedger.markPaid(shop.db, orderId: order.id, providerKind: "bank_transfer", providerId: nil,
                                           reference: nil, amountMinor: 1_999, applicationFeeMinor: 0, actor: "user:1"))
        #expect(try !PaymentLedger.markPaid(shop.db, orderId: order.id, providerKind: "bank_transfer", providerId: nil,
                                            reference: nil, amountMinor: 1_999, applicationFeeMinor: 0, actor: "user:1"))
        #expect(try shop.order(order.id).financial == "paid")
        #expect(try shop.payments(order.id).map(\.status) == ["succeeded"])
        #expect(try shop.timeline(order.id) == ["Payment of 19.99 USD received through bank transfer."])
        #expect(throws: PaymentLedgerError.orderNotFound(987_654)) {
            try PaymentLedger.markPaid(shop.db, orderId: 987_654, providerKind: "stripe", providerId: nil, reference: nil,
                                       amountMinor: 1, applicationFeeMinor: 0, actor: "system")
        }
    }

    @Test func aStripeRefundGoesThroughStripeAndManualMethodsHaveNoGateway() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try PaymentShop(stack, prefix: "refund", realAccount: true)
        let app = try StorefleetApp(config: stack.config, metrics: { "" })
        let route = try #require(try app.registry().resolve(slug: shop.store.slug))
        #expect(try app.refundGateway(forProvider: "bank_transfer", store: route) == nil)
        #expect(try app.refundGateway(forProvider: "cash_on_delivery", store: route) == nil)
        let gateway = try #require(try app.refundGateway(forProvider: "stripe", store: route))

        // A paid destination charge: made, then confirmed the way the pay page's Stripe.js does.
        let stripe = try PaymentShop.stripe(stack)
        let intent = try stripe.createPaymentIntent(amountMinor: 3_000, currency: "usd", destination: shop.accountId,
                                                    applicationFeeMinor: 90, description: nil, metadata: [],
                                                    idempotencyKey: "sf-test-" + UUID().uuidString)
        let paid: StripePaymentIntent = try stripe.send(.post, "/v1/payment_intents/\(intent.id)/_authenticate",
                                                        fields: ["success": "true", "client_secret": .string(intent.clientSecret ?? "")])
        #expect(paid.status == "succeeded")

        let refundId = try gateway.refund(paymentReference: intent.id, amountMinor: 1_200, idempotencyKey: "sf-test-refund-1")
        #expect(refundId.hasPrefix("re_"))
        let refund: StripeRefund = try stripe.send(.get, "/v1/refunds/" + refundId)
        #expect(refund.amount == 1_200)
        #expect(refund.paymentIntent == intent.id)
        #expect(refund.status == "succeeded")

        // A refund Stripe refuses (the payment never went through) throws and returns no id.
        let unpaid = try stripe.createPaymentIntent(amountMinor: 500, currency: "usd", destination: shop.accountId,
                                                    applicationFeeMinor: 10, description: nil, metadata: [],
                                                    idempotencyKey: "sf-test-" + UUID().uuidString)
        #expect(throws: StripeError.self) {
            _ = try gateway.refund(paymentReference: unpaid.id, amountMinor: 500, idempotencyKey: "sf-test-refund-2")
        }
    }
}
