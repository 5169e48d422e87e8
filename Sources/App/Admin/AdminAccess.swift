import HTTP
import Postgres
import Registry

/// The areas of a store's admin, in navigation order, and which roles may use each.
///
/// Roles (docs/CONTRACTS.md, "Platform web"): owners and admins use every area of a store;
/// staff use the catalog, orders, customers, discounts and reviews only (and the dashboard, which
/// shows the figures of those orders). Hidden areas are left out of the navigation and answer 403.
enum AdminArea: String, CaseIterable {
    case dashboard, products, orders, customers, discounts, reviews, payments, shipping, feeds, domains,
         themes, settings, audit

    var title: String {
        switch self {
        case .dashboard: return "Dashboard"
        case .products: return "Products"
        case .orders: return "Orders"
        case .customers: return "Customers"
        case .discounts: return "Discounts"
        case .reviews: return "Reviews"
        case .payments: return "Payments"
        case .shipping: return "Shipping & taxes"
        case .feeds: return "Feeds"
        case .domains: return "Domains"
        case .themes: return "Themes"
        case .settings: return "Settings"
        case .audit: return "Audit log"
        }
    }

    /// The path under `/store/<slug>/admin`.
    var path: String { self == .dashboard ? "" : "/" + rawValue }

    func allows(role: String) -> Bool {
        switch role {
        case "owner", "admin": return true
        case "staff":
            switch self {
            case .dashboard, .products, .orders, .customers, .discounts, .reviews: return true
            default: return false
            }
        default: return false
        }
    }
}

/// A store the signed-in user may open, with their role in its organization.
struct AdminStore: Equatable {
    let orgId: Int64
    let slug: String
    let name: String
    let status: String
    let role: String
}

extension AdminStore {
    init(_ access: StoreAccess) {
        self.init(orgId: access.orgId, slug: access.slug, name: access.name, status: access.status.rawValue,
                  role: access.role.rawValue)
    }
}

/// The store an admin request is about: who is signed in, their role in the store, every store
/// they may switch to, and the store's routing fields (currency, timezone, database).
struct AdminContext {
    let session: SessionRecord
    let store: AdminStore
    let route: StoreRoute
    /// Every store of every organization the user belongs to (the store switcher).
    let stores: [AdminStore]

    var role: String { store.role }
    var adminURL: String { "/store/" + store.slug + "/admin" }

    func allows(_ area: AdminArea) -> Bool { area.allows(role: role) }

    /// Throws 403 unless the user's role may use `area`.
    func require(_ area: AdminArea) throws {
        guard allows(area) else {
            throw HTTPError(.forbidden, "Your role in this store doesn’t include \(area.title.lowercased()). Ask an owner of the store for access.")
        }
    }
}

/// Resolves `/store/:slug/admin/...` for the signed-in user.
///
/// Access is membership of the store's organization, narrowed by the membership's store limits
/// (`Organizations.stores(userId:)`, one registry query). A user with no access — or asking for a
/// store that does not exist — gets the same 403, never a hint of whether the store exists.
enum AdminAccess {
    static func context(_ site: PlatformSite, slug: String) throws -> AdminContext {
        // The session and the user's stores: one registry round trip.
        let (session, access) = try site.requireUserWithStores()
        let stores = access.map(AdminStore.init)
        guard let store = stores.first(where: { $0.slug == slug }) else { throw AdminAccess.forbidden }
        guard store.status == "active" || store.status == "suspended" else {
            // Not live yet (or its set-up failed): its progress page says what is going on.
            throw Redirect(to: "/store/" + slug + "/setup")
        }
        guard let route = try site.directory().resolve(slug: slug) else { throw AdminAccess.forbidden }
        return AdminContext(session: session, store: store, route: route, stores: stores)
    }

    /// The stores `userId` may open, by organization.
    static func stores(_ registry: Connection, userId: Int64) throws -> [AdminStore] {
        // One query that honours the team's store limits (Registry `Organizations`).
        try Organizations(registry: registry).stores(userId: userId).map(AdminStore.init)
    }

    static let forbidden = HTTPError(.forbidden, "You don’t have access to this store. Ask one of its owners to invite you.")
}
