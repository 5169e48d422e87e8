import Postgres

/// The customer logged in on a store's host, as other shopper areas see them.
struct ShopperCustomer: Equatable {
    let id: Int64
    let email: String
    let firstName: String
    let lastName: String
}

extension StoreSite {
    /// The logged-in customer: the `sf_customer` cookie's session in `customer_sessions`, nil for
    /// a guest or an expired session. (Filled in by customer accounts, issue 7.)
    func customer(db: Connection) throws -> ShopperCustomer? {
        nil
    }
}
