/// Why a cart request was refused. Every case is the shopper's to fix, so `message` is safe to
/// show; nothing changed in the cart when one is thrown.
public enum CartError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The cookie names no open cart (expired, converted to an order, or another store's).
    case cartNotFound
    /// No variant with this id in this store.
    case unknownVariant
    /// The product exists but is not for sale (draft, archived, not yet published).
    case unavailable(title: String)
    /// Stock is tracked, selling stops at zero, and none is left.
    case soldOut(title: String)
    /// A quantity outside 1...`Carts.maxQuantity` (0 allowed where it means "remove").
    case quantityOutOfRange
    /// The variant is not in the cart (change/remove of a line that is gone).
    case lineNotFound
    /// The cart already holds `Carts.maxLines` different items.
    case tooManyLines

    public var message: String {
        switch self {
        case .cartNotFound: return "Your cart has expired. Add the items again."
        case .unknownVariant: return "That item could not be found."
        case .unavailable(let title): return "\(title) is not available."
        case .soldOut(let title): return "\(title) is sold out."
        case .quantityOutOfRange: return "Enter a quantity from 1 to \(Carts.maxQuantity)."
        case .lineNotFound: return "That item is no longer in your cart."
        case .tooManyLines: return "Your cart can hold up to \(Carts.maxLines) different items."
        }
    }

    public var description: String { "cart: " + message }
}
