import Foundation
import HTTP
import Postgres
import Registry
import Testing
@testable import App
@testable import Commerce

/// The product image page: uploads checked by content, several at once, order, alt text, a
/// variant's image, delete; CSRF and the audit log; the storefront showing a file that exists.
@Suite("Product images admin")
struct ProductImagesAdminTests {
    @Test func uploadsAreCheckedByContentThenResizedAndShownOnTheStorefront() throws {
        guard let shop = try AdminTests.shop("adm-img") else { return }
        let db = try shop.stack.tenantConnection(shop.store)
        let actor = CatalogActor(kind: "user", id: "1", label: "owner@example.com")
        let productId = try ProductAdmin.create(ProductInput(title: "Olive bowl", status: .active,
                                                             variants: [VariantInput(priceMinor: 2500)]), by: actor, on: db)
        let handle: String = try db.queryFirst("SELECT handle FROM products WHERE id = \(productId)")!.decode("handle")
        let client = try shop.stack.signedInClient(userId: shop.owner.userId)
        let page = shop.admin + "/products/\(productId)/images"
        #expect(try client.get(page).status == .ok)

        func upload(_ files: [(String, String, [UInt8])], csrf: String? = nil) throws -> Response {
            var body = MultipartBody()
            body.field("_csrf", csrf ?? client.csrf ?? "")
            body.field("alt", "An olive-wood bowl")
            for (name, type, bytes) in files { body.file("images", filename: name, contentType: type, bytes) }
            return try client.send(.post, page, body: body.finished(), contentType: body.contentType)
        }
        func imageCount() throws -> Int {
            try db.queryFirst("SELECT count(*)::int AS n FROM product_images")!.decode("n")
        }

        // A text file named .png and a truncated JPEG: 422, each named, nothing stored.
        let truncatedJPEG: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
            + [0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x10, 0x03] + [UInt8](repeating: 0x11, count: 40)
        let refused = try upload([("notes.png", "image/png", Array("just some text".utf8)),
                                  ("cut.jpg", "image/jpeg", truncatedJPEG)])
        #expect(refused.status == .unprocessableContent)
        #expect(refused.text.contains("notes.png: Upload a JPEG, PNG, WebP or GIF image."))
        #expect(refused.text.contains("cut.jpg: The image is damaged or incomplete"))
        #expect(refused.text.contains("aria-describedby=\"images-hint images-error\" aria-invalid=\"true\""))
        #expect(try imageCount() == 0)

        // Without the CSRF token: refused.
        #expect(try upload([("bowl.png", "image/png", Self.png(width: 40, height: 30))], csrf: "forged").status == .forbidden)
        #expect(try imageCount() == 0)

        // A PNG named .jpg and sent as text is a PNG; two files in one upload.
        let started = Date()
        let added = try upload([("bowl.jpg", "text/plain", Self.png(width: 900, height: 600)),
                                ("detail.png", "image/png", Self.png(width: 120, height: 120))])
        #expect(added.status == .seeOther)
        let images = try ProductImages.list(productId: productId, on: db)
        try #require(images.count == 2)
        #expect(images.map(\.contentType) == ["image/png", "image/png"])
        #expect(images.allSatisfy { $0.storageKey.hasSuffix(".png") && $0.alt == "An olive-wood bowl" })
        let queued: Int = try db.queryFirst("SELECT count(*)::int AS n FROM outbox WHERE topic = 'media.resize'")!.decode("n")
        #expect(queued == 2)

        // The job, run here as `storefleet jobs` would.
        let dataDir = try shop.stack.stack.value("STOREFLEET_DATA_DIR")
        let media = ProductMediaStore(dataDirectory: dataDir, storeId: shop.store.storeId)
        defer { try? FileManager.default.removeItem(atPath: media.directory) }
        let job = ProductImageResizeJob(media: media, widths: [200, 600])
        for image in images { try job.run(imageId: image.id, on: db) }
        print("upload + media.resize: \(Int(Date().timeIntervalSince(started) * 500)) ms per image")
        for (image, width) in [(images[0], 600), (images[1], 120)] {
            let bytes = try #require(media.read(ProductMediaStore.sizedKey(image.storageKey, width: 600, fileExtension: "webp")))
            #expect(try ImageHeader.read(bytes).width == width)
        }

        // The storefront's product page shows a file nginx can serve.
        let handler = try shop.stack.handler()
        let product = handler(try get("/products/" + handle, host: shop.stack.host(shop.store)))
        #expect(product.status == .ok)
        let prefix = "src=\"/media/sf_store_\(shop.store.storeId)/"
        let src = try #require(product.text.components(separatedBy: prefix).dropFirst().first?.split(separator: "\"").first)
        #expect(FileManager.default.fileExists(atPath: media.directory + "/" + src), "\(src)")

        // Reorder, alt text, the variant's image; audited; the storefront's version moves.
        let version: Int64 = try db.queryFirst("SELECT version FROM storefront_version")!.decode("version")
        let variantId: Int64 = try db.queryFirst("SELECT id FROM variants WHERE product_id = \(productId)")!.decode("id")
        _ = try client.get(page)
        let saved = try client.post(page + "/save", [
            ("position_\(images[0].id)", "2"), ("position_\(images[1].id)", "1"),
            ("alt_\(images[1].id)", "The bowl's grain, close up"), ("variant_\(variantId)", String(images[0].id)),
        ])
        #expect(saved.status == .seeOther)
        let after = try ProductImages.list(productId: productId, on: db)
        #expect(after.map(\.id) == [images[1].id, images[0].id])
        #expect(after[0].alt == "The bowl's grain, close up")
        let variantImage: Int64? = try db.queryFirst("SELECT image_id FROM variants WHERE id = \(variantId)")!.decode("image_id")
        #expect(variantImage == images[0].id)
        #expect(try db.queryFirst("SELECT version FROM storefront_version")!.decode("version", as: Int64.self) > version)
        let actions = try db.query("SELECT action FROM audit_log WHERE subject_type = 'product' ORDER BY id")
            .map { try $0.decode("action", as: String.self) }
        #expect(actions.contains("product.images_added") && actions.contains("product.images_updated"))

        // Delete: the file and its copies go; the variant falls back to the first image.
        _ = try client.get(page)
        #expect(try client.post(page + "/\(images[0].id)/delete", []).status == .seeOther)
        #expect(!media.exists(images[0].storageKey))
        #expect(!media.exists(ProductMediaStore.sizedKey(images[0].storageKey, width: 200, fileExtension: "webp")))
        #expect(try ProductImages.list(productId: productId, on: db).map(\.position) == [1])
        let unlinked: Int64? = try db.queryFirst("SELECT image_id FROM variants WHERE id = \(variantId)")!.decode("image_id")
        #expect(unlinked == nil)
    }

    /// A real `width` × `height` RGB PNG (stored deflate), small enough to build by hand.
    static func png(width: Int, height: Int) -> [UInt8] {
        func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func crc(_ data: [UInt8]) -> Int {
            var c: UInt32 = 0xFFFF_FFFF
            for b in data { c ^= UInt32(b); for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 } }
            return Int(~c)
        }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] { be32(data.count) + Array(type.utf8) + data + be32(crc(Array(type.utf8) + data)) }
        var raw: [UInt8] = []
        for y in 0..<height { raw.append(0); for x in 0..<width { raw += [UInt8(x & 0xFF), UInt8(y & 0xFF), 128] } }
        var z: [UInt8] = [0x78, 0x01]
        var i = 0
        repeat {
            let n = min(65535, raw.count - i)
            z += [i + n >= raw.count ? 1 : 0, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)] + raw[i..<(i + n)]
            i += n
        } while i < raw.count
        var a = 1, b = 0
        for byte in raw { a = (a + Int(byte)) % 65521; b = (b + a) % 65521 }
        z += be32(b << 16 | a)
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", be32(width) + be32(height) + [8, 2, 0, 0, 0])
            + chunk("IDAT", z) + chunk("IEND", [])
    }
}
