/// One line of a cart as the shopper sees it now: the variant's current title, price and stock
/// (never the values stored when it was added; `Carts.open` re-checks them).
public struct CartLine: Sendable, Equatable {
    public var variantId: Int64
    public var productId: Int64
    public var productTitle: String
    /// "M / Red"; "Default Title" for a product without options.
    public var variantTitle: String
    public var handle: String
    public var sku: String?
    /// The variant's image, else the product's first image (`product_images.storage_key`).
    public var imageKey: String?
    public var quantity: Int
    /// The current price of one unit.
    public var unitPriceMinor: Int64
    public var compareAtMinor: Int64?
    /// Weight of one unit.
    public var weightGrams: Int
    public var requiresShipping: Bool
    public var taxable: Bool
    /// `unitPriceMinor * quantity`.
    public var lineTotalMinor: Int64
    /// Units left when the stock is tracked and the variant stops selling at zero; nil when there
    /// is no limit.
    public var available: Int?

    /// Whether the variant is the only one of a product without options.
    public var isDefaultVariant: Bool { variantTitle == "Default Title" || variantTitle.isEmpty }

    /// "Linen shirt" or "Linen shirt – M / Red", for messages.
    public var displayName: String { isDefaultVariant ? productTitle : productTitle + " – " + variantTitle }
}

/// Something that changed in the cart since the shopper last saw it, or why a request was
/// adjusted ("Only 3 of X are left; we changed the quantity").
public struct CartNotice: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The price changed; the cart now holds the current price.
        case priceChanged
        /// Fewer units are left than the cart asked for; the quantity was lowered.
        case quantityLowered
        /// Sold out; the line was removed.
        case soldOut
        /// The product is no longer sold (draft, archived, unpublished); the line was removed.
        case unavailable
    }
    public var variantId: Int64
    public var kind: Kind
    /// A sentence for the shopper, with money already formatted in the cart's currency.
    public var message: String

    public init(variantId: Int64, kind: Kind, message: String) {
        self.variantId = variantId
        self.kind = kind
        self.message = message
    }
}

/// An open cart, re-checked against the catalog: what the cart page, `/cart.js` and checkout show.
public struct CartContents: Sendable {
    public var id: Int64
    public var currency: String
    /// In the order they were first added.
    public var lines: [CartLine]
    /// What the re-check (and the request that produced these contents) changed.
    public var notices: [CartNotice]
    public var subtotalMinor: Int64
    /// Units across all lines (the header badge).
    public var itemCount: Int
    public var email: String?
    public var note: String
    public var discountCode: String?
    public var customerId: Int64?
    /// Always `open` for contents returned by `Carts`.
    public var status: String

    public var isEmpty: Bool { lines.isEmpty }

    /// Total weight of the lines that ship, for shipping rates.
    public var shippingWeightGrams: Int {
        lines.filter(\.requiresShipping).reduce(0) { $0 + $1.weightGrams * $1.quantity }
    }

    public func line(variantId: Int64) -> CartLine? { lines.first { $0.variantId == variantId } }
}
