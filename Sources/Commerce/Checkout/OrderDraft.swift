import Foundation

/// Everything checkout decided before "Place order": who buys, where it goes, which lines at
/// which prices (from the pricing quote), and how it is paid. `OrderPlacement.place` turns it
/// into an order in one transaction.
public struct OrderDraft: Sendable {
    /// The cart being converted (locked first, so two submits of one cart wait for each other).
    public var cartId: Int64
    /// The "Place order" form's hidden key: a second submit with it returns the first order.
    public var idempotencyKey: String
    public var email: String
    /// The logged-in customer; nil for a guest (a customer row without password is made for the email).
    public var customerId: Int64?
    public var currency: String
    public var lines: [OrderDraftLine]
    public var subtotalMinor: Int64
    public var discountMinor: Int64
    public var shippingMinor: Int64
    public var taxMinor: Int64
    public var totalMinor: Int64
    public var taxesIncluded: Bool
    public var discountCode: String?
    /// The discount code's row, when one applies (its use is taken in the order's transaction).
    public var discountCodeId: Int64?
    public var shippingRateId: Int64?
    public var shippingMethodName: String?
    public var paymentProviderId: Int64?
    public var paymentMethodName: String?
    /// A card payment (Stripe): the order holds its stock for `store_settings.order_hold_minutes`
    /// while the payment is pending, then the expiry job cancels it.
    public var holdsStockUntilPaid: Bool
    public var shippingAddress: CheckoutAddress?
    public var billingAddress: CheckoutAddress?
    public var customerNote: String
    /// Who placed it, for the timeline (`customer:<id>` or `guest`).
    public var actor: String
    /// A second timeline entry (kind `email`, actor `system`) written with the order, e.g.
    /// "Order confirmation sent to …" for the mail the App queues once the order committed.
    public var emailEvent: String?

    public init(cartId: Int64, idempotencyKey: String, email: String, customerId: Int64? = nil, currency: String,
                lines: [OrderDraftLine], subtotalMinor: Int64, discountMinor: Int64 = 0, shippingMinor: Int64 = 0,
                taxMinor: Int64 = 0, totalMinor: Int64, taxesIncluded: Bool = false, discountCode: String? = nil,
                discountCodeId: Int64? = nil, shippingRateId: Int64? = nil, shippingMethodName: String? = nil,
                paymentProviderId: Int64? = nil, paymentMethodName: String? = nil, holdsStockUntilPaid: Bool = false,
                shippingAddress: CheckoutAddress? = nil, billingAddress: CheckoutAddress? = nil,
                customerNote: String = "", actor: String = "guest", emailEvent: String? = nil) {
        self.cartId = cartId
        self.idempotencyKey = idempotencyKey
        self.email = email
        self.customerId = customerId
        self.currency = currency
        self.lines = lines
        self.subtotalMinor = subtotalMinor
        self.discountMinor = discountMinor
        self.shippingMinor = shippingMinor
        self.taxMinor = taxMinor
        self.totalMinor = totalMinor
        self.taxesIncluded = taxesIncluded
        self.discountCode = discountCode
        self.discountCodeId = discountCodeId
        self.shippingRateId = shippingRateId
        self.shippingMethodName = shippingMethodName
        self.paymentProviderId = paymentProviderId
        self.paymentMethodName = paymentMethodName
        self.holdsStockUntilPaid = holdsStockUntilPaid
        self.shippingAddress = shippingAddress
        self.billingAddress = billingAddress
        self.customerNote = customerNote
        self.actor = actor
        self.emailEvent = emailEvent
    }
}

/// One line at the price the buyer saw (the quote's), with its share of discount and tax.
public struct OrderDraftLine: Sendable, Equatable {
    public var variantId: Int64
    public var quantity: Int
    public var unitPriceMinor: Int64
    public var discountMinor: Int64
    public var taxMinor: Int64
    public var taxRatePPM: Int

    public init(variantId: Int64, quantity: Int, unitPriceMinor: Int64, discountMinor: Int64 = 0,
                taxMinor: Int64 = 0, taxRatePPM: Int = 0) {
        self.variantId = variantId
        self.quantity = quantity
        self.unitPriceMinor = unitPriceMinor
        self.discountMinor = discountMinor
        self.taxMinor = taxMinor
        self.taxRatePPM = taxRatePPM
    }
}

/// The order a placement made or found.
public struct PlacedOrder: Sendable {
    public let id: Int64
    public let number: Int64
    public let publicToken: String
    public let email: String
    public let financialStatus: String
    public let holdsStock: Bool
    /// False when an earlier submit (same key, or the same cart) had already made it.
    public let isNew: Bool
    /// The order as its buyer sees it, for a new order: what the statement that wrote it
    /// returned (the confirmation mail needs no second read). Nil for an order found again.
    public let receipt: OrderReceipt?

    public init(id: Int64, number: Int64, publicToken: String, email: String, financialStatus: String,
                holdsStock: Bool, isNew: Bool, receipt: OrderReceipt? = nil) {
        self.id = id
        self.number = number
        self.publicToken = publicToken
        self.email = email
        self.financialStatus = financialStatus
        self.holdsStock = holdsStock
        self.isNew = isNew
        self.receipt = receipt
    }
}

/// Why an order was not placed. Nothing was written in any case.
public enum OrderPlacementError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Tracked variants that deny sales when sold out have fewer units than the cart asks.
    case soldOut([SoldOutLine])
    /// A line's variant no longer exists or its product is not for sale.
    case unavailable([String])
    /// The cart has no lines (or does not exist / belongs to no one any more).
    case emptyCart
    /// The draft's sums do not add up (a bug in the caller, never the buyer's doing).
    case totalsDoNotAddUp

    public var description: String {
        switch self {
        case .soldOut(let lines):
            return lines.map { line in
                line.available <= 0 ? "\(line.displayTitle) is sold out."
                    : "Only \(line.available) of \(line.displayTitle) \(line.available == 1 ? "is" : "are") left."
            }.joined(separator: " ")
        case .unavailable(let titles):
            return titles.map { "\($0) is no longer available." }.joined(separator: " ")
        case .emptyCart: return "Your cart is empty."
        case .totalsDoNotAddUp: return "checkout: the order's sums do not add up"
        }
    }
}

public struct SoldOutLine: Sendable, Equatable {
    public let variantId: Int64
    public let productTitle: String
    public let variantTitle: String
    public let requested: Int
    public let available: Int

    public var displayTitle: String {
        variantTitle.isEmpty || variantTitle == "Default Title" ? productTitle : "\(productTitle) – \(variantTitle)"
    }
}
