import Commerce
import HTTP
import Liquid
import Postgres
import Registry

/// A product's images in the store admin: upload (several files at once), order, alt text,
/// delete, and which image each variant shows. Files are checked by content
/// (`ProductImageUpload`), stored under the store's media folder and resized by the
/// `media.resize` job. Every POST carries the CSRF token and writes the store's audit log.
extension StorefleetApp {
    func addProductImageRoutes(to router: inout SiteRouter<PlatformSite>) {
        func catalog(_ site: PlatformSite, _ parameters: Parameters) throws -> AdminContext {
            let context = try AdminAccess.context(site, slug: parameters["slug"] ?? "")
            try context.require(.products)
            return context
        }
        router.get("/store/:slug/admin/products/:id/images") { [unowned self] _, parameters, site in
            try productImagesPage(site, try catalog(site, parameters), productId: try Self.id(parameters), errors: nil)
        }
        router.post("/store/:slug/admin/products/:id/images") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try uploadProductImages(site, try catalog(site, parameters), productId: try Self.id(parameters), form: form)
        }
        router.post("/store/:slug/admin/products/:id/images/save") { [unowned self] _, parameters, site in
            let form = try site.verifiedForm()
            return try saveProductImages(site, try catalog(site, parameters), productId: try Self.id(parameters), form: form)
        }
        router.post("/store/:slug/admin/products/:id/images/:image/delete") { [unowned self] _, parameters, site in
            _ = try site.verifiedForm()
            guard let imageId = parameters["image"].flatMap({ Int64($0) }) else { throw HTTPError(.notFound, "There is no such image.") }
            return try deleteProductImage(site, try catalog(site, parameters), productId: try Self.id(parameters), imageId: imageId)
        }
    }

    private func productMedia(_ context: AdminContext) throws -> ProductMediaStore {
        guard let data = config.environment["STOREFLEET_DATA_DIR"], !data.isEmpty else { throw StoreMediaUnavailable() }
        return ProductMediaStore(dataDirectory: data, storeId: context.route.storeId)
    }

    private func imagesURL(_ context: AdminContext, _ productId: Int64) -> String {
        context.adminURL + "/products/\(productId)/images"
    }

    /// `GET …/products/:id/images`.
    func productImagesPage(_ site: PlatformSite, _ context: AdminContext, productId: Int64, errors: FormErrors?,
                           status: Status? = nil) throws -> Response {
        let (title, images, variants) = try withTenant(context.route) { db in
            (try ProductImages.productTitle(productId, on: db), try ProductImages.list(productId: productId, on: db),
             try ProductImages.variants(productId: productId, on: db))
        }
        guard let title else { throw HTTPError(.notFound, "This product no longer exists.") }
        let prefix = ProductMediaStore.urlPrefix(storeId: context.route.storeId)
        let base = imagesURL(context, productId)
        let imageValues: [Value] = images.enumerated().map { n, image in
            let src = image.storageKey.hasPrefix("/") ? image.storageKey
                : prefix + (image.copies > 0 ? ProductMediaStore.sizedKey(image.storageKey, width: 200, fileExtension: "webp") : image.storageKey)
            return [
                "id": .string(String(image.id)), "n": .int(n + 1), "position": .int(image.position),
                "position_key": .string("position_\(image.id)"), "alt_key": .string("alt_\(image.id)"),
                "alt": .string(image.alt), "src": .string(src),
                "size": .string(image.width.map { w in "\(w) × \(image.height ?? 0) px" } ?? ""),
                "format": .string(image.contentType.replacingOccurrences(of: "image/", with: "").uppercased()),
                "ready": .bool(image.copies > 0 || image.storageKey.hasPrefix("/")),
                "delete_action": .string(base + "/\(image.id)/delete"),
            ]
        }
        let variantValues: [Value] = variants.count <= 1 && variants.first?.title == "Default Title" ? [] : variants.map { v in
            [
                "id": .string(String(v.id)), "key": .string("variant_\(v.id)"), "title": .string(v.title),
                "options": .array([["value": "", "label": "Product's first image", "selected": .bool(v.imageId == nil)]]
                    + images.enumerated().map { n, image in
                        ["value": .string(String(image.id)),
                         "label": .string("Image \(n + 1)" + (image.alt.isEmpty ? "" : ": " + String(image.alt.prefix(40)))),
                         "selected": .bool(v.imageId == image.id)]
                    }),
            ]
        }
        let assigns: [String: Value] = [
            "product_title": .string(title),
            "product_url": .string(context.adminURL + "/products/\(productId)"),
            "upload_action": .string(base), "save_action": .string(base + "/save"),
            "images": .array(imageValues), "variants": .array(variantValues),
            "max_size": "15 MB", "max_images": .int(ProductImages.maximumPerProduct),
            "has_errors": .bool(!(errors?.isEmpty ?? true)),
        ]
        return try CatalogPages.render(site, context, page: "admin/products/images", title: "Images · " + title,
                                       tab: "products", assigns: assigns, errors: errors, status: status)
    }

    /// `POST …/products/:id/images` (multipart, field `images`, any number of files, and an
    /// optional `alt` for all of them). One bad file refuses the whole upload, naming each
    /// problem file, so nothing is half-added.
    func uploadProductImages(_ site: PlatformSite, _ context: AdminContext, productId: Int64, form: FormData) throws -> Response {
        let files = form.files.filter { $0.fieldName == "images" && !($0.bytes.isEmpty && $0.filename.isEmpty) }
        var errors = FormErrors()
        var uploads: [ProductImageUpload] = []
        var problems: [String] = []
        for file in files {
            do {
                uploads.append(try ProductImageUpload.check(file.bytes))
            } catch {
                let name = file.filename.isEmpty ? "A file" : String(file.filename.prefix(80))
                problems.append("\(name): \(error.message)")
            }
        }
        if files.isEmpty { errors.add("images", "Choose one or more images to upload.") }
        if !problems.isEmpty { errors.add("images", problems.joined(separator: " ")) }
        let alt = (form["alt"] ?? "").trimmingWhitespace()
        if alt.count > ProductImages.maximumAltLength { errors.add("alt", "Keep the alt text under \(ProductImages.maximumAltLength) characters.") }
        guard errors.isEmpty else {
            return try productImagesPage(site, context, productId: productId, errors: errors, status: .unprocessableContent)
        }
        let media = try productMedia(context)
        do {
            try withTenant(context.route) { db in
                try ProductImages.add(uploads, alt: alt, productId: productId, media: media, by: actor(site, context), on: db)
            }
        } catch let validation as CatalogValidation {
            return try productImagesPage(site, context, productId: productId, errors: CatalogPages.formErrors(validation),
                                         status: .unprocessableContent)
        } catch CatalogAdminError.notFound {
            throw HTTPError(.notFound, "This product no longer exists.")
        }
        // The resize job waits in the store's outbox: ask the job runner to move it now.
        try? OutboxRelay.hint(site.registry(), storeId: context.route.storeId)
        let message = uploads.count == 1 ? "Image added. Its resized copies are being made." : "\(uploads.count) images added. Their resized copies are being made."
        return site.redirect(to: imagesURL(context, productId), flash: .success(message))
    }

    /// `POST …/products/:id/images/save`: `alt_<image id>`, `position_<image id>` (numbers; the
    /// images are sorted by them) and `variant_<variant id>` (an image id, or empty).
    func saveProductImages(_ site: PlatformSite, _ context: AdminContext, productId: Int64, form: FormData) throws -> Response {
        let current = try withTenant(context.route) { db in try ProductImages.list(productId: productId, on: db) }
        var changes = ProductImages.Changes()
        var errors = FormErrors()
        var ranked: [(rank: Int, index: Int, id: Int64)] = []
        for (index, image) in current.enumerated() {
            if let alt = form["alt_\(image.id)"] {
                let trimmed = alt.trimmingWhitespace()
                if trimmed != image.alt { changes.alts[image.id] = trimmed }
            }
            let raw = (form["position_\(image.id)"] ?? "").trimmingWhitespace()
            if raw.isEmpty {
                ranked.append((image.position, index, image.id))
            } else if let rank = Int(raw), rank >= 1, rank <= 10_000 {
                ranked.append((rank, index, image.id))
            } else {
                errors.add("position_\(image.id)", "Enter a whole number from 1.")
            }
        }
        changes.order = ranked.sorted { ($0.rank, $0.index) < ($1.rank, $1.index) }.map(\.id)
        for field in form.fields where field.name.hasPrefix("variant_") {
            guard let variantId = Int64(field.name.dropFirst("variant_".count)) else { continue }
            if field.value.isEmpty {
                changes.variantImages[variantId] = .some(nil)
            } else if let imageId = Int64(field.value) {
                changes.variantImages[variantId] = imageId
            } else {
                errors.add(field.name, "Choose an image from the list.")
            }
        }
        guard errors.isEmpty else {
            return try productImagesPage(site, context, productId: productId, errors: errors, status: .unprocessableContent)
        }
        do {
            try withTenant(context.route) { db in
                try ProductImages.update(productId: productId, changes, by: actor(site, context), on: db)
            }
        } catch let validation as CatalogValidation {
            return try productImagesPage(site, context, productId: productId, errors: CatalogPages.formErrors(validation),
                                         status: .unprocessableContent)
        } catch CatalogAdminError.notFound {
            throw HTTPError(.notFound, "This product or image no longer exists.")
        }
        return site.redirect(to: imagesURL(context, productId), flash: .success("Images saved."))
    }

    /// `POST …/products/:id/images/:image/delete`.
    func deleteProductImage(_ site: PlatformSite, _ context: AdminContext, productId: Int64, imageId: Int64) throws -> Response {
        let media = try productMedia(context)
        do {
            try withTenant(context.route) { db in
                try ProductImages.delete(imageId: imageId, productId: productId, media: media, by: actor(site, context), on: db)
            }
        } catch CatalogAdminError.notFound {
            throw HTTPError(.notFound, "This image no longer exists.")
        }
        return site.redirect(to: imagesURL(context, productId), flash: .success("Image deleted."))
    }
}

extension Error {
    /// The merchant-facing text of an upload problem.
    fileprivate var message: String {
        (self as? ProductImageUpload.Problem)?.message ?? ProductImageUpload.Problem.damaged.message
    }
}
