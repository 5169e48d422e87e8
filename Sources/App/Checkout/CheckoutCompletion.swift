import Commerce
import Foundation
import HTTP
import Postgres
import Registry

extension CheckoutFlow {
    /// `POST /checkout/complete`: `idempotency_key`, `payment_method` (a provider id),
    /// `customer_note`. Places the order and answers 303 to its status page (manual methods) or
    /// to the card page (Stripe). The same key again, or the cart already placed, goes to the
    /// order that exists; a sold-out line goes back to the cart with the reason, nothing changed.
    func complete() throws -> Response {
        let form = try site.verifiedForm()
        let key = (form["idempotency_key"] ?? "").trimmingCharacters(in: .whitespaces)
        guard key.count >= 16, key.count <= 100,
              key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return site.redirect(to: "/checkout/payment", flash: .error("Your checkout expired. Check the details and place your order again."))
        }
        let outcome: Outcome = try site.withTenant { db in
            guard let state = try state(db, keepEmpty: true) else {
                // No open cart: this form may have placed its order already (a second submit
                // after the first answer dropped the cart cookie). With an open cart the
                // placement itself finds an order of this key, under the cart's lock.
                if let token = try CheckoutDetails.orderToken(db, idempotencyKey: key) {
                    return .placed(try existingOrder(db, token), kind: "existing")
                }
                return .answer(try noCart(db))
            }
            if !state.cart.notices.isEmpty {
                // The cart changed since the review (price, stock): show the review again, or the
                // cart when nothing is left in it.
                let message = state.cart.notices.map(\.message).joined(separator: " ")
                return .answer(site.redirect(to: state.cart.isEmpty ? "/cart" : "/checkout/payment",
                                             flash: state.cart.isEmpty ? .error(message) : .info(message)))
            }
            if state.cart.isEmpty { return .answer(try noCart(db)) }
            guard state.details.shippingAddress != nil, let email = state.details.email, !email.isEmpty else {
                return .answer(.redirect(to: "/checkout"))
            }
            // The order is priced with the kept checkout settings. Every change committed
            // before this request has reached them: the cart was read after the request came,
            // and PostgreSQL sends pending notifications before it reports that read done.
            let methods = try settings.paymentMethods(db, cache: cachesSettings)
            guard let methodId = form["payment_method"].flatMap({ Int64($0) }),
                  let method = methods.first(where: { $0.id == methodId }) else {
                let quote = try self.quote(db, state)
                return .answer(try paymentView(db, state, quote: quote, paymentError: "Choose a payment method.",
                                               status: .unprocessableContent))
            }
            // The method is kept on the cart by the order's own write (the cart becomes the
            // order); a submit sent back to the payment page below keeps it there.
            let quote = try self.quote(db, state)
            if quote.requiresShipping && quote.shipping == nil { return .answer(.redirect(to: "/checkout/shipping")) }
            if state.details.discountCode != nil && quote.discountCodeId == nil {
                // The code stopped applying (used up, expired): the buyer sees the new total first.
                try CheckoutDetails.saveDiscountCode(db, cartId: state.cart.id, code: nil)
                try CheckoutDetails.savePaymentProvider(db, cartId: state.cart.id, providerId: method.id)
                return .answer(site.redirect(to: "/checkout/payment",
                                             flash: .error(quote.discountError ?? "Your discount code no longer applies.")))
            }
            let draft = OrderDraft(
                cartId: state.cart.id, idempotencyKey: key, email: state.details.email ?? "",
                customerId: state.customer?.id, currency: state.cart.currency, lines: quote.draftLines,
                subtotalMinor: quote.subtotalMinor, discountMinor: quote.discountMinor, shippingMinor: quote.shippingMinor,
                taxMinor: quote.taxMinor, totalMinor: quote.totalMinor, taxesIncluded: quote.taxesIncluded,
                discountCode: quote.discountCode, discountCodeId: quote.discountCodeId,
                shippingRateId: quote.shipping?.id, shippingMethodName: quote.shipping?.name,
                paymentProviderId: method.id, paymentMethodName: method.name,
                holdsStockUntilPaid: method.kind == "stripe",
                shippingAddress: state.details.shippingAddress, billingAddress: state.details.shippingAddress,
                customerNote: String((form["customer_note"] ?? "").prefix(2000)),
                actor: state.customer.map { "customer:\($0.id)" } ?? "guest",
                emailEvent: OrderConfirmationMail.timelineMessage(to: email))
            do {
                let order = try OrderPlacement.place(db, draft) { db, order in
                    try CheckoutQuote.takeDiscount(db, quote: quote, order: order, customerId: state.customer?.id)
                }
                return .placed(order, kind: method.kind)
            } catch let error as OrderPlacementError {
                return .refused(error)
            } catch let error as DiscountUsageError {
                // Another order took the code's last use meanwhile: nothing was placed.
                try CheckoutDetails.saveDiscountCode(db, cartId: state.cart.id, code: nil)
                try CheckoutDetails.savePaymentProvider(db, cartId: state.cart.id, providerId: method.id)
                return .answer(site.redirect(to: "/checkout/payment",
                                             flash: .error(error.message + ". It was removed; check the new total.")))
            }
        }
        switch outcome {
        case .answer(let response):
            return response
        case .refused(let error):
            return site.redirect(to: "/cart", flash: .error(error.description + " Your order was not placed; nothing was charged."))
        case .placed(let order, let kind):
            site.deleteCookie(ShopCookie.cart)
            site.setCookie(ShopCookie.cartCount, value: "0", maxAge: CartCookies.maxAge, httpOnly: false)
            if order.isNew { sendConfirmation(order) }
            if order.isNew && order.holdsStock {
                // The hold's expiry job waits in the store's outbox: hint the runner to move it
                // now rather than at its next sweep.
                try? OutboxRelay.hint(app.registry().registryConnection, storeId: site.route.storeId)
            }
            if kind == "stripe" || (kind == "existing" && order.holdsStock && order.financialStatus == "pending") {
                return .redirect(to: "/checkout/pay/" + order.publicToken)
            }
            return .redirect(to: "/orders/" + order.publicToken)
        }
    }

    private func existingOrder(_ db: Connection, _ token: String) throws -> PlacedOrder {
        guard let receipt = try OrderReceipt.load(db, publicToken: token) else { throw HTTPError(.notFound) }
        return PlacedOrder(id: receipt.id, number: receipt.number, publicToken: receipt.publicToken, email: receipt.email,
                           financialStatus: receipt.financialStatus, holdsStock: receipt.paymentKind == "stripe",
                           isNew: false)
    }

    /// The confirmation email, queued after the order's transaction committed, from the receipt
    /// the placement returned (its timeline entry was written with the order). A failure to
    /// queue it is logged and noted on the order's timeline, never shown to the buyer: the order
    /// stands and the status page has everything.
    private func sendConfirmation(_ order: PlacedOrder) {
        do {
            guard let receipt = order.receipt else { return }
            try OrderConfirmationMail(site: site).send(receipt)
        } catch {
            app.logError(error, request: site.request)
            try? site.withTenant { db in
                try OrderEvents.add(db, orderId: order.id, kind: "email",
                                    message: "The order confirmation to \(order.email) could not be queued; it was not sent.",
                                    actor: "system")
            }
        }
    }
}

/// How a "Place order" submit ends.
private enum Outcome {
    /// Placed now, or found from an earlier submit (`kind`: the payment kind, or `existing`).
    case placed(PlacedOrder, kind: String)
    /// Not placed (sold out, no longer for sale); nothing was written.
    case refused(OrderPlacementError)
    /// Another page first (a step is missing, the cart changed, a field needs fixing).
    case answer(Response)
}
