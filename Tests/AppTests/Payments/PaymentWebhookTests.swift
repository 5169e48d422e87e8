import Foundation
import HTTP
import Testing
@testable import App

/// `POST /webhooks/stripe`: the signature is checked before anything is read, every event
/// changes the store at most once, and unknown events are acknowledged and ignored.
@Suite("Stripe webhook")
struct PaymentWebhookTests {
    @Test func aSignedPaymentSucceededMarksTheOrderPaidOnce() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try PaymentShop(stack, prefix: "wh-paid")
        let handle = try stack.handler()
        let order = try shop.pendingOrder()
        let event = shop.succeededEvent(orderId: order.id, fee: 80, intent: "pi_paidonce1")

        let response = try stack.webhook(handle, event)
        #expect(response.status == .ok)
        let paid = try shop.order(order.id)
        #expect(paid.financial == "paid")
        #expect(paid.paidAt != nil)
        #expect(!paid.reserved, "a paid order no longer holds its stock on a timer")
        #expect(try shop.payments(order.id).map { "\($0.reference ?? "") \($0.status) \($0.amount) \($0.fee)" }
                == ["pi_paidonce1 succeeded 2500 80"])
        #expect(try shop.timeline(order.id) == ["Payment of 25.00 USD received through Stripe (pi_paidonce1)."])

        // The same event again (Stripe retries): 200 and nothing changes.
        let replay = try stack.webhook(handle, event)
        #expect(replay.status == .ok)
        #expect(try replay.bodyText().contains("replayed"))
        #expect(try shop.order(order.id).paidAt == paid.paidAt)
        #expect(try shop.timeline(order.id).count == 1)

        // Another event for the same payment (a second delivery with a new id): still once.
        let other = try stack.webhook(handle, shop.succeededEvent(orderId: order.id, intent: "pi_paidonce1"))
        #expect(other.status == .ok)
        #expect(try shop.timeline(order.id).count == 1)
        #expect(try shop.payments(order.id).count == 1)
    }

    @Test func aBadSignatureIs400AndChangesNothing() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try PaymentShop(stack, prefix: "wh-badsig")
        let handle = try stack.handler()
        let order = try shop.pendingOrder()
        let event = shop.succeededEvent(orderId: order.id)

        for response in [
            try stack.webhook(handle, event, secret: "whsec_not_ours"),
            try stack.webhook(handle, event, signature: "t=\(Int(Date().timeIntervalSince1970)),v1=" + String(repeating: "ab", count: 32)),
            try stack.webhook(handle, event, signature: "nonsense"),
            try stack.webhook(handle, event, signature: ""),
        ] {
            #expect(response.status == .badRequest)
        }
        #expect(try shop.order(order.id).financial == "pending")
        #expect(try shop.payments(order.id).isEmpty)
        #expect(try shop.db.queryFirst("SELECT count(*) AS n FROM payment_events")?.decode("n", as: Int64.self) == 0)
    }

    @Test func anOldTimestampIs400EvenWithAGoodSignature() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try PaymentShop(stack, prefix: "wh-old")
        let handle = try stack.handler()
        let order = try shop.pendingOrder()
        let now = Int64(Date().timeIntervalSince1970)

        let old = try stack.webhook(handle, shop.succeededEvent(orderId: order.id), timestamp: now - 301)
        #expect(old.status == .badRequest)
        let future = try stack.webhook(handle, shop.succeededEvent(orderId: order.id), timestamp: now + 600)
        #expect(future.status == .badRequest)
        #expect(try shop.order(order.id).financial == "pending")
    }

    @Test func anUnknownEventTypeIsAcknowledgedAndIgnored() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try PaymentShop(stack, prefix: "wh-unknown")
        let handle = try stack.handler()
        let order = try shop.pendingOrder()
        let payload = Array(String(decoding: shop.succeededEvent(orderId: order.id), as: UTF8.self)
            .replacingOccurrences(of: "payment_intent.succeeded", with: "customer.created").utf8)

        let response = try stack.webhook(handle, payload)
        #expect(response.status == .ok)
        #expect(try response.bodyText().contains("ignored"))
        #expect(try shop.order(order.id).financial == "pending")
        #expect(try shop.payments(order.id).isEmpty)
    }

    @Test func aSignedBodyThatIsNotAnEventIs400() throws {
        guard let stack = try AppStack.required() else { return }
        let handle = try stack.handler()
        #expect(try stack.webhook(handle, Array("{not json".utf8)).status == .badRequest)
        #expect(try stack.webhook(handle, Array(#"{"hello":"world"}"#.utf8)).status == .badRequest)
    }

    @Test func aLatePaymentForACancelledOrderIsRecordedButDoesNotReviveIt() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try PaymentShop(stack, prefix: "wh-late")
        let handle = try stack.handler()
        let order = try shop.pendingOrder()
        try shop.db.execute("""
            UPDATE orders SET status = 'cancelled', cancelled_at = now(), cancel_reason = 'payment_expired',
                   reserved_until = NULL WHERE id = \(order.id)
            """)

        let response = try stack.webhook(handle, shop.succeededEvent(orderId: order.id, intent: "pi_late1"))
        #expect(response.status == .ok)
        let after = try shop.order(order.id)
        #expect(after.status == "cancelled")
        #expect(after.financial == "pending")
        #expect(try shop.payments(order.id).map(\.status) == ["succeeded"])
        #expect(try shop.timeline(order.id).first?.contains("after the order was cancelled. Refund it") == true)
    }

    @Test func aFailedPaymentIsNotedAndTheOrderStaysOpen() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try PaymentShop(stack, prefix: "wh-failed")
        let handle = try stack.handler()
        let order = try shop.pendingOrder()
        try shop.db.execute("""
            INSERT INTO payments (order_id, provider_id, provider_kind, provider_reference, amount_minor, currency, status)
            VALUES (\(order.id), \(shop.providerId), 'stripe', 'pi_declined1', 2500, 'USD', 'pending')
            """)
        let payload = Array(String(decoding: shop.succeededEvent(orderId: order.id, intent: "pi_declined1"), as: UTF8.self)
            .replacingOccurrences(of: "payment_intent.succeeded", with: "payment_intent.payment_failed")
            .replacingOccurrences(of: "\"status\":\"succeeded\"",
                                  with: "\"status\":\"requires_payment_method\",\"last_payment_error\":{\"code\":\"card_declined\",\"message\":\"Your card was declined.\"}")
            .utf8)
        #expect(try stack.webhook(handle, payload).status == .ok)
        let row = try shop.db.queryFirst("SELECT status, failure_message FROM payments WHERE provider_reference = 'pi_declined1'")!
        #expect(try row.decode("status", as: String.self) == "failed")
        #expect(try row.decode("failure_message", as: String?.self) == "Your card was declined.")
        #expect(try shop.order(order.id).financial == "pending")
        #expect(try shop.order(order.id).reserved)
    }

    @Test func accountUpdatedCopiesTheAccountStateToItsStore() throws {
        guard let stack = try AppStack.required() else { return }
        let shop = try PaymentShop(stack, prefix: "wh-acct", chargesEnabled: false)
        let handle = try stack.handler()
        func event(_ id: String, charges: Bool) -> [UInt8] {
            Array("""
                {"id":"\(id)","object":"event","type":"account.updated","account":"\(shop.accountId)",
                 "data":{"object":{"id":"\(shop.accountId)","object":"account","charges_enabled":\(charges),
                 "payouts_enabled":\(charges),"details_submitted":true}}}
                """.utf8)
        }
        func state() throws -> (Bool, Bool, Bool) {
            let row = try shop.db.queryFirst("""
                SELECT charges_enabled, payouts_enabled, details_submitted FROM payment_providers WHERE kind = 'stripe'
                """)!
            return (try row.decode("charges_enabled"), try row.decode("payouts_enabled"), try row.decode("details_submitted"))
        }
        #expect(try state() == (false, false, false))
        let first = "evt_acct" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        #expect(try stack.webhook(handle, event(first, charges: true)).status == .ok)
        #expect(try state() == (true, true, true))

        // A replay of that event after a newer one changes nothing.
        #expect(try stack.webhook(handle, event("evt_acct_newer" + first.suffix(8), charges: false)).status == .ok)
        #expect(try state() == (false, false, true))
        #expect(try stack.webhook(handle, event(first, charges: true)).status == .ok)
        #expect(try state() == (false, false, true))
    }
}
