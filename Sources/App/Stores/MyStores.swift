import HTTP
import Liquid
import Postgres
import Registry

/// A store the signed-in user can open, with their role in its organization.
struct MyStore {
    let orgId: Int64
    let orgName: String
    let role: String
    let slug: String
    let name: String
    let status: String

    /// Where the store's card leads: its admin once live, its set-up page before.
    var url: String {
        status == "active" || status == "suspended" ? "/store/\(slug)/admin" : "/store/\(slug)/setup"
    }

    var liquidValue: Value {
        ["org_id": .int(Int(orgId)), "org_name": .string(orgName), "role": .string(role), "slug": .string(slug),
         "name": .string(name), "status": .string(status), "url": .string(url)]
    }
}

extension MyStore {
    /// Every store of every organization the user belongs to (row-level security scopes each
    /// read to one organization), newest first within an organization.
    static func all(_ registry: Connection, userId: Int64) throws -> [(orgId: Int64, orgName: String, role: String, stores: [MyStore])] {
        let orgs = try OrganizationScope.run(registry, orgId: nil, userId: userId) { db in
            try db.query("""
                SELECT m.org_id, o.name, m.role::text AS role
                FROM memberships m JOIN organizations o ON o.id = m.org_id
                WHERE m.user_id = \(userId)
                ORDER BY o.name, m.org_id
                """).map { row in
                (try row.decode("org_id", as: Int64.self), try row.decode("name", as: String.self),
                 try row.decode("role", as: String.self))
            }
        }
        // A membership limited to some stores (the team page) lists only those.
        let reachable = Set(try Organizations(registry: registry).stores(userId: userId).map(\.storeId))
        return try orgs.map { org in
            let stores = try OrganizationScope.run(registry, orgId: org.0, userId: userId) { db in
                try db.query("""
                    SELECT id, slug, name, status::text AS status FROM stores
                    WHERE org_id = \(org.0) AND status <> 'deleted'
                    ORDER BY created_at DESC, id DESC
                    """).filter { reachable.contains(try $0.decode("id", as: Int64.self)) }.map { row in
                    MyStore(orgId: org.0, orgName: org.1, role: org.2, slug: try row.decode("slug"),
                            name: try row.decode("name"), status: try row.decode("status"))
                }
            }
            return (org.0, org.1, org.2, stores)
        }
    }
}

extension StorefleetApp {
    /// `GET /stores`: the signed-in user's stores, the home page after log-in.
    func addStoresListRoutes(to router: inout SiteRouter<PlatformSite>) {
        router.get("/stores") { _, _, site in
            let user = try site.requireUser()
            let orgs = try MyStore.all(try site.registry(), userId: user.userId)
            let organizations: [Value] = orgs.map { org in
                ["id": .int(Int(org.orgId)), "name": .string(org.orgName), "role": .string(org.role),
                 "stores": .array(org.stores.map(\.liquidValue))]
            }
            let count = orgs.reduce(0) { $0 + $1.stores.count }
            return try site.page("platform/stores", title: "Your stores",
                                 assigns: ["organizations": .array(organizations), "store_count": .int(count)])
        }
    }
}
