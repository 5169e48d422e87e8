import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

/// The store admin's Reviews area (issue 7): `GET /store/:slug/admin/reviews?status=pending|
/// published|rejected|all&page=N` lists reviews newest first (pending by default); POST
/// `…/reviews/:id/publish` and `…/reviews/:id/reject` moderate one (CSRF, audit
/// `review.published` / `review.rejected`). Staff may moderate. Publishing or un-publishing
/// moves the storefront's cache key in the same transaction (tenant migration 0015).
extension StorefleetApp {
    func addReviewsAdminRoutes(to router: inout SiteRouter<PlatformSite>) {
        func reviews(_ site: PlatformSite, _ parameters: Parameters) throws -> AdminContext {
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.reviews)
            return context
        }
        router.get("/store/:slug/admin/reviews") { [unowned self] request, parameters, site in
            try reviewList(site, try reviews(site, parameters), query: request.query)
        }
        for (action, status) in [("publish", ReviewStatus.published), ("reject", ReviewStatus.rejected)] {
            router.post("/store/:slug/admin/reviews/:id/" + action) { [unowned self] _, parameters, site in
                let form = try site.verifiedForm()
                return try moderate(site, try reviews(site, parameters), id: parameters["id"] ?? "", to: status, form: form)
            }
        }
    }

    func reviewList(_ site: PlatformSite, _ context: AdminContext, query: FormData) throws -> Response {
        let raw = query["status"] ?? "pending"
        let status: ReviewStatus? = raw == "all" ? nil : (ReviewStatus(rawValue: raw) ?? .pending)
        let page = max(1, min(Int(query["page"] ?? "") ?? 1, 10_000))
        let (rows, counts) = try withTenant(context.route) { db in
            (try ReviewModeration.list(db, status: status, offset: (page - 1) * ReviewModeration.pageSize),
             try ReviewModeration.counts(db))
        }
        let base = context.adminURL + "/reviews"
        let current = status?.rawValue ?? "all"
        let total = counts.values.reduce(0, +)
        let choices: [(key: String, title: String, count: Int)] = [
            ("pending", "Pending", counts[.pending] ?? 0), ("published", "Published", counts[.published] ?? 0),
            ("rejected", "Rejected", counts[.rejected] ?? 0), ("all", "All", total),
        ]
        let tabs: [Value] = choices.map { choice -> Value in
            let tab: [String: Value] = ["title": .string(choice.title), "count": .int(choice.count),
                                        "url": .string(base + "?status=" + choice.key), "current": .bool(choice.key == current)]
            return .dictionary(tab)
        }
        let back = base + "?status=" + current + (page > 1 ? "&page=\(page)" : "")
        let items: [Value] = rows.map { r in Self.moderationDrop(r, context: context, base: base) }
        let shownTotal = status.map { counts[$0] ?? 0 } ?? total
        return try AdminPages.render(site, context, area: .reviews, page: "admin/reviews/list", title: "Reviews", assigns: [
            "tabs": .array(tabs), "reviews": .array(items), "status": .string(current), "back": .string(back),
            "total": .int(total), "shown_total": .int(shownTotal),
            "previous_url": page > 1 ? .string(base + "?status=" + current + "&page=\(page - 1)") : .nil,
            "next_url": rows.count == ReviewModeration.pageSize ? .string(base + "?status=" + current + "&page=\(page + 1)") : .nil,
        ])
    }

    /// `POST …/reviews/:id/publish|reject`; `back` (a path of this list) is where to return.
    func moderate(_ site: PlatformSite, _ context: AdminContext, id raw: String, to status: ReviewStatus,
                  form: FormData) throws -> Response {
        guard let id = Int64(raw), id > 0 else { throw HTTPError(.notFound, "That review no longer exists.") }
        let base = context.adminURL + "/reviews"
        let back = form["back"].flatMap { $0.hasPrefix(base) && SafeNext.isLocalPath($0) ? $0 : nil } ?? base
        let changed = try withTenant(context.route) { db in
            try db.transaction { db -> Bool in
                guard let result = try ReviewModeration.setStatus(db, id: id, to: status) else { return false }
                try AdminAudit.recordInStore(db, site: site, context: context, action: "review." + status.rawValue,
                                             subjectType: "review", subjectId: String(id),
                                             details: ["product_id": String(result.productId), "from": result.previous.rawValue])
                return true
            }
        }
        guard changed else { return site.redirect(to: back, flash: .info("That review no longer exists.")) }
        return site.redirect(to: back, flash: .success(status == .published
            ? "Review published. It shows on the product page now."
            : "Review rejected. It won't show on the storefront."))
    }

    static func moderationDrop(_ r: ModerationReview, context: AdminContext, base: String) -> Value {
        var d: [String: Value] = [:]
        d["id"] = .int(Int(r.id))
        d["rating"] = .int(r.rating)
        d["stars"] = .string(String(repeating: "★", count: r.rating) + String(repeating: "☆", count: 5 - r.rating))
        d["title"] = .string(r.title)
        d["body"] = .string(r.body)
        d["author"] = .string(r.authorName)
        d["email"] = r.customerEmail.map { .string($0) } ?? .nil
        d["product_title"] = .string(r.productTitle)
        d["product_admin_url"] = .string(context.adminURL + "/products/\(r.productId)")
        d["status"] = .string(r.status.rawValue)
        d["status_badge"] = .string(r.status == .published ? "ok" : r.status == .pending ? "warn" : "plain")
        d["date"] = .string(StorefleetApp.shortDate(r.createdAt, timezone: context.route.timezone))
        d["publish_url"] = .string(base + "/\(r.id)/publish")
        d["reject_url"] = .string(base + "/\(r.id)/reject")
        d["can_publish"] = .bool(r.status != .published)
        d["can_reject"] = .bool(r.status != .rejected)
        return .dictionary(d)
    }
}
