import Commerce
import Foundation
import HTTP
import Liquid
import Postgres

/// Writing a review. The product page is cached for everyone, so its "Write a review" form is
/// the same for every shopper and eligibility is decided here, when it is sent:
/// `POST /products/:handle/reviews` (`rating` 1–5, `title`, `body`) — not logged in → log in
/// and come back to the review page; not a buyer → 403 page; a second review replaces the first
/// (and waits for moderation again). `GET /products/:handle/review` is the same form on a page
/// of the shopper's own (with their earlier review filled in and a CSRF token).
///
/// The POST is same-origin checked only (like add-to-cart): the cached form cannot carry a
/// per-shopper token, and `SameSite=Lax` keeps the customer cookie off cross-site POSTs.
extension StorefleetApp {
    func addProductReviewRoutes(to router: inout SiteRouter<StoreSite>) {
        router.get("/products/:handle/review") { [unowned self] request, parameters, site in
            try reviewPage(site, request: request, handle: parameters["handle"] ?? "")
        }
        router.post("/products/:handle/reviews") { [unowned self] request, parameters, site in
            try site.verifySameOrigin()
            return try submitReview(site, request: request, handle: parameters["handle"] ?? "")
        }
    }

    private func reviewedProduct(_ db: Connection, handle: String) throws -> ProductDetail? {
        if case .found(let product) = try Catalog.activeProduct(handle: handle, on: db) { return product }
        return nil
    }

    func reviewPage(_ site: StoreSite, request: Request, handle: String) throws -> Response {
        try site.withTenant { db in
            guard let product = try reviewedProduct(db, handle: handle) else { return try storefront.notFound(request, site, app: self) }
            let customer = try requireCustomer(site, db: db)
            guard try ProductReviews.purchase(db, customer: customer.account, productId: product.id) != nil else {
                return try reviewForm(site, db: db, product: product, eligible: false, form: nil, errors: nil, status: .forbidden)
            }
            var form: FormData?
            var own: Value = .nil
            if let mine = try ProductReviews.own(db, customerId: customer.id, productId: product.id) {
                form = FormData([("rating", String(mine.rating)), ("title", mine.title), ("body", mine.body)])
                own = ["status": .string(mine.status.rawValue)]
            }
            return try reviewForm(site, db: db, product: product, eligible: true, form: form, errors: nil, own: own)
        }
    }

    func submitReview(_ site: StoreSite, request: Request, handle: String) throws -> Response {
        let form = try request.form()
        return try site.withTenant { db in
            guard let product = try reviewedProduct(db, handle: handle) else { return try storefront.notFound(request, site, app: self) }
            let reviewPath = "/products/" + StoreURLs.encode(product.handle) + "/review"
            guard let customer = try site.customer(db: db) else {
                return site.redirect(to: "/account/login?return_to=" + FormEncoding.encode(reviewPath),
                                     flash: .info("Log in to review \(product.title). Only customers who bought it can."))
            }
            let input: ReviewInput
            switch ReviewInput.check(rating: form["rating"], title: form["title"], body: form["body"]) {
            case .success(let checked): input = checked
            case .failure(let problems):
                var errors = FormErrors()
                for field in ["rating", "title", "body"] { if let m = problems.messages[field] { errors.add(field, m) } }
                let eligible = try ProductReviews.purchase(db, customer: customer.account, productId: product.id) != nil
                return try reviewForm(site, db: db, product: product, eligible: eligible, form: form, errors: errors,
                                      status: eligible ? .unprocessableContent : .forbidden)
            }
            switch try ProductReviews.submit(db, customer: customer.account, productId: product.id, input) {
            case .notABuyer:
                return try reviewForm(site, db: db, product: product, eligible: false, form: nil, errors: nil, status: .forbidden)
            case .created:
                return site.redirect(to: reviewPath, flash: .success(
                    "Thank you! Your review of \(product.title) will appear once the store has checked it."))
            case .updated:
                return site.redirect(to: reviewPath, flash: .success(
                    "Your review of \(product.title) is updated. It will appear again once the store has checked it."))
            }
        }
    }

    func reviewForm(_ site: StoreSite, db: Connection, product: ProductDetail, eligible: Bool, form: FormData?,
                    errors: FormErrors?, own: Value = .nil, status: Status = .ok) throws -> Response {
        let selected = Int(form?["rating"] ?? "") ?? 0
        return try customerPage(site, db: db, "review", title: "Review \(product.title)", assigns: [
            "review_product": ["title": .string(product.title), "handle": .string(product.handle),
                               "url": .string("/products/" + StoreURLs.encode(product.handle)),
                               "action": .string("/products/" + StoreURLs.encode(product.handle) + "/reviews")],
            "eligible": .bool(eligible),
            "own_review": own,
            "ratings": .array((1...5).reversed().map { ["value": .int($0), "selected": .bool($0 == selected)] }),
        ], form: form, errors: errors, status: status)
    }
}
