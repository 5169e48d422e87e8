import Feeds
import Foundation
import HTTP
import Liquid
import Postgres
import Registry

/// `/store/:slug/admin/feeds`: each channel's status (items, last run, duration, warnings with
/// links to the products), its settings (on/off, collections, brand fallback, Google category),
/// its secret URL with a rotate button, and "regenerate now". Generation itself is the
/// `feeds.generate` job (never inside the request).
extension StorefleetApp {
    func addFeedsAdminRoutes(to router: inout SiteRouter<PlatformSite>) {
        router.get("/store/:slug/admin/feeds") { [unowned self] _, parameters, site in
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.feeds)
            return try feedsPage(site, context, form: nil, errors: nil, failedChannel: nil)
        }
        router.post("/store/:slug/admin/feeds/:channel") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.feeds)
            return try saveFeedSettings(site, context, channel: try feedChannel(parameters), form: form)
        }
        router.post("/store/:slug/admin/feeds/:channel/rotate") { [unowned self] _, parameters, site in
            _ = try site.verifiedForm()
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.feeds)
            let channel = try feedChannel(parameters)
            try withTenant(context.route) { db in
                try feedPublisher(db, context).rotateToken(channel)
                try auditFeeds(db, site, context, action: "feed.rotate_url", channel: channel)
            }
            return site.redirect(to: context.adminURL + "/feeds#feed-\(channel.rawValue)",
                                 flash: .success("\(channel.displayName) has a new feed URL. The old one no longer works: give the channel the new one."))
        }
        router.post("/store/:slug/admin/feeds/:channel/regenerate") { [unowned self] _, parameters, site in
            _ = try site.verifiedForm()
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.feeds)
            let channel = try feedChannel(parameters)
            try enqueueFeedJob(site, context, channel: channel)
            return site.redirect(to: context.adminURL + "/feeds#feed-\(channel.rawValue)",
                                 flash: .info("\(channel.displayName) feed is being regenerated. Reload this page in a moment to see the result."))
        }
    }

    private func feedChannel(_ parameters: Parameters) throws -> FeedChannel {
        guard let channel = FeedChannel(rawValue: parameters["channel"] ?? "") else { throw HTTPError(.notFound, "There is no such feed.") }
        return channel
    }

    /// Files under `$STOREFLEET_DATA_DIR/feeds` (what nginx serves at `/feeds/`).
    private var feedsDirectory: String {
        config.environment["STOREFLEET_FEEDS_DIR"]
            ?? (config.environment["STOREFLEET_DATA_DIR"].map { $0 + "/feeds" } ?? ".data/run/feeds")
    }

    private func feedPublisher(_ db: Connection, _ context: AdminContext) -> FeedPublisher {
        FeedPublisher(db: db, store: FeedStore(name: context.store.name, baseURL: "", mediaPrefix: "",
                                               currency: context.route.currency),
                      directory: feedsDirectory)
    }

    private func enqueueFeedJob(_ site: PlatformSite, _ context: AdminContext, channel: FeedChannel?) throws {
        let payload = channel.map { #"{"reason":"admin","channel":"\#($0.rawValue)"}"# } ?? #"{"reason":"admin"}"#
        // The app's role may queue jobs only for its own organization's stores (row-level security).
        try OrganizationScope.run(try site.registry(), orgId: context.store.orgId, userId: context.session.userId) { db in
            try JobQueue.enqueue(db, kind: "feeds.generate", payload: JSON(rawText: payload), storeId: context.route.storeId)
        }
    }

    private func auditFeeds(_ db: Connection, _ site: PlatformSite, _ context: AdminContext, action: String,
                            channel: FeedChannel) throws {
        try db.execute("""
            INSERT INTO audit_log (actor_kind, actor_id, actor_label, action, subject_type, subject_id, request_id)
            VALUES ('user', \(String(context.session.userId)), \(context.session.userEmail), \(action), 'feed',
                    \(channel.rawValue), \(site.request.requestId))
            """)
    }

    /// The storefront origin a feed URL is on, as the merchant reaches the store from here.
    private func storefrontOrigin(_ site: PlatformSite, _ context: AdminContext) -> String {
        let scheme = site.request.isSecure ? "https://" : "http://"
        if let host = context.route.primaryHost { return scheme + host }
        return scheme + context.store.slug + "." + config.platformDomain
            + SiteLinks.port(ofHostHeader: site.request.headers["host"])
    }

    func feedsPage(_ site: PlatformSite, _ context: AdminContext, form: FormData?, errors: FormErrors?,
                   failedChannel: FeedChannel?) throws -> Response {
        let origin = storefrontOrigin(site, context)
        let zone = TimeZone(identifier: context.route.timezone) ?? .gmt
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "d MMM yyyy, HH:mm"
        let (channels, collections) = try withTenant(context.route) { db -> ([Value], [Value]) in
            try FeedSettings.ensureRows(on: db)
            let collections: [Value] = try db.query("SELECT id, title FROM collections ORDER BY title, id LIMIT 500").map { row in
                ["id": .string(String(try row.decode("id", as: Int64.self))), "title": .string(try row.decode("title"))]
            }
            var channels: [Value] = []
            for channel in FeedChannel.allCases {
                let settings = try FeedSettings.load(channel, on: db)
                guard let row = try db.queryFirst("""
                    SELECT id, status, item_count, warning_count, last_run_at, last_success_at, last_duration_ms,
                           last_error, dirty_since IS NOT NULL AS dirty
                    FROM shopping_feeds WHERE channel = \(channel.rawValue)
                    """) else { continue }
                let feedId: Int64 = try row.decode("id")
                let warnings: [Value] = try db.query("""
                    SELECT w.product_id, w.variant_id, w.code, w.message, p.title
                    FROM shopping_feed_warnings w LEFT JOIN products p ON p.id = w.product_id
                    WHERE w.feed_id = \(feedId) ORDER BY w.id LIMIT 50
                    """).map { w in
                    let productId = try w.decode("product_id", as: Int64?.self)
                    return [
                        "product": .string(try w.decode("title", as: String?.self) ?? "A deleted product"),
                        "url": productId.map { .string(context.adminURL + "/products/\($0)") } ?? .nil,
                        "code": .string(try w.decode("code")), "message": .string(try w.decode("message")),
                        "label": .string(FeedsAdminText.warningLabel(try w.decode("code"))),
                    ]
                }
                let status: String = try row.decode("status")
                let lastRun = try row.decode("last_run_at", as: Date?.self)
                let useForm = failedChannel == channel ? form : nil
                let selected = Set(useForm.map { $0.all("collections") } ?? settings.collectionIds.map { String($0) })
                var entry: [String: Value] = [
                    "key": .string(channel.rawValue), "name": .string(channel.displayName),
                    "format": .string(channel == .google ? "RSS 2.0 XML" : "CSV"),
                    "enabled": .bool(useForm.map { $0["enabled"] == "1" } ?? settings.enabled),
                    "status": .string(status),
                    "status_label": .string(FeedsAdminText.statusLabel(status, enabled: settings.enabled, ran: lastRun != nil)),
                    "status_badge": .string(status == "ok" ? "badge-ok" : status == "failed" ? "badge-bad" : "badge-warn"),
                    "item_count": .int(try row.decode("item_count", as: Int.self)),
                    "warning_count": .int(try row.decode("warning_count", as: Int.self)),
                    "last_run": lastRun.map { .string(formatter.string(from: $0)) } ?? .nil,
                    "duration": try row.decode("last_duration_ms", as: Int?.self).map { .string(FeedsAdminText.duration($0)) } ?? .nil,
                    "error": try row.decode("last_error", as: String?.self).map { .string($0) } ?? .nil,
                    "dirty": .bool(try row.decode("dirty")),
                    "url": .string(origin + "/feeds/" + FeedPublisher.fileName(token: settings.urlToken ?? "", channel: channel)),
                    "brand_fallback": .string(useForm?["brand_fallback"] ?? settings.brandFallback),
                    "google_product_category": .string(useForm?["google_product_category"] ?? settings.googleProductCategory ?? ""),
                    "collections": .array(collections.map { c in
                        guard case .dictionary(var d) = c else { return c }
                        if case .string(let id)? = d["id"] { d["selected"] = .bool(selected.contains(id)) }
                        return .dictionary(d)
                    }),
                    "warnings": .array(warnings),
                    "action": .string(context.adminURL + "/feeds/" + channel.rawValue),
                ]
                if failedChannel == channel, let errors {
                    entry["errors"] = errors.liquidValue
                }
                channels.append(.dictionary(entry))
            }
            return (channels, collections)
        }
        return try AdminPages.render(site, context, area: .feeds, page: "admin/feeds", title: "Feeds",
                                     assigns: ["channels": .array(channels), "has_collections": .bool(!collections.isEmpty)],
                                     status: errors == nil ? nil : .unprocessableContent)
    }

    private func saveFeedSettings(_ site: PlatformSite, _ context: AdminContext, channel: FeedChannel,
                                  form: FormData) throws -> Response {
        var errors = FormErrors()
        let brand = (form["brand_fallback"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if brand.count > 70 { errors.add("brand_fallback", "Use at most 70 characters (Google’s limit for a brand).") }
        let category = (form["google_product_category"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if category.count > 250 {
            errors.add("google_product_category", "Use a category id such as 1604 or a path from Google’s list, at most 250 characters.")
        }
        let collectionIds = form.all("collections").compactMap { Int64($0) }
        if collectionIds.count != form.all("collections").count {
            errors.add("collections", "Choose collections from the list.")
        }
        if !errors.isEmpty {
            return try feedsPage(site, context, form: form, errors: errors, failedChannel: channel)
        }
        let enabled = form["enabled"] == "1"
        try withTenant(context.route) { db in
            var settings = try FeedSettings.load(channel, on: db)
            settings.enabled = enabled
            settings.brandFallback = brand
            settings.googleProductCategory = category.isEmpty ? nil : category
            settings.collectionIds = collectionIds
            try settings.save(on: db)
            if !enabled { try feedPublisher(db, context).unpublish(channel) }
            try auditFeeds(db, site, context, action: "feed.update", channel: channel)
        }
        if enabled { try enqueueFeedJob(site, context, channel: channel) }
        return site.redirect(to: context.adminURL + "/feeds#feed-\(channel.rawValue)",
                             flash: .success(enabled ? "\(channel.displayName) feed saved; it is being regenerated."
                                                     : "\(channel.displayName) feed is off; its URL no longer answers."))
    }
}

/// Words the feeds page shows.
enum FeedsAdminText {
    static func statusLabel(_ status: String, enabled: Bool, ran: Bool) -> String {
        if !enabled { return "Off" }
        switch status {
        case "ok": return "Up to date"
        case "failed": return "Last run failed"
        case "running": return "Generating"
        case "queued": return "Queued"
        default: return ran ? "Waiting" : "Not generated yet"
        }
    }

    static func warningLabel(_ code: String) -> String {
        switch code {
        case "no_image": return "No image"
        case "no_brand_no_identifier": return "No brand, GTIN or MPN"
        case "title_cut": return "Title cut"
        case "description_cut": return "Description cut"
        case "no_price": return "Price missing"
        case "out_of_stock": return "Out of stock"
        default: return "Check"
        }
    }

    static func duration(_ ms: Int) -> String {
        ms < 1000 ? "\(ms) ms" : String(format: "%.1f s", Double(ms) / 1000)
    }
}
