import Crypto
import Foundation
import Postgres
import Registry
import Testing
import TestSupport
@testable import Commerce
@testable import Media

/// Upload rules (by content, size, pixels, completeness) and the `media.resize` job over a
/// real store of the local stack and its media folder.
@Suite("Product images")
struct ProductImageTests {
    // MARK: Rules, no database

    @Test func aPNGIsAcceptedWhateverItIsCalledAndItsHeaderIsRead() throws {
        let upload = try ProductImageUpload.check(try TestImages.png(width: 320, height: 200))
        #expect(upload.header == ImageHeader(type: .png, width: 320, height: 200))
        let jpeg = try ProductImageUpload.check(try TestImages.jpeg(width: 64, height: 48))
        #expect(jpeg.header == ImageHeader(type: .jpeg, width: 64, height: 48))
        let webp = try ProductImageUpload.check(try MediaImage.open(try TestImages.png(width: 50, height: 40)).encoded(as: .webp))
        #expect(webp.header == ImageHeader(type: .webp, width: 50, height: 40))
        let gif = try ProductImageUpload.check(try MediaImage.open(try TestImages.png(width: 30, height: 20)).encoded(as: .gif))
        #expect(gif.header == ImageHeader(type: .gif, width: 30, height: 20))
    }

    @Test func textSVGAndTruncatedFilesAreRefused() throws {
        #expect(throws: ProductImageUpload.Problem.notAnImage) { try ProductImageUpload.check(Array("not a picture at all".utf8)) }
        #expect(throws: ProductImageUpload.Problem.notAnImage) {
            try ProductImageUpload.check(Array("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>".utf8))
        }
        let jpeg = try TestImages.jpeg(width: 200, height: 150)
        #expect(throws: ProductImageUpload.Problem.damaged) { try ProductImageUpload.check(Array(jpeg.prefix(jpeg.count * 2 / 3))) }
        let png = try TestImages.png(width: 200, height: 150)
        #expect(throws: ProductImageUpload.Problem.damaged) { try ProductImageUpload.check(Array(png.prefix(png.count - 20))) }
        #expect(throws: ProductImageUpload.Problem.empty) { try ProductImageUpload.check([]) }
    }

    @Test func oversizedFilesAndDecompressionBombsAreRefusedBeforeDecoding() throws {
        var big = try TestImages.png(width: 10, height: 10)
        big += [UInt8](repeating: 0, count: ProductImageUpload.maximumBytes)
        #expect(throws: ProductImageUpload.Problem.tooLarge) { try ProductImageUpload.check(big) }
        // A 100 KB file that claims 20,000 × 20,000 pixels: refused from its header alone.
        var bomb = try TestImages.png(width: 8, height: 8)
        bomb.replaceSubrange(16..<24, with: TestImages.be32(20_000) + TestImages.be32(20_000))
        #expect(throws: ProductImageUpload.Problem.tooManyPixels(width: 20_000, height: 20_000)) { try ProductImageUpload.check(bomb) }
        let wide = try TestImages.png(width: 10, height: 10)
        var claimed = wide
        claimed.replaceSubrange(16..<24, with: TestImages.be32(9_000) + TestImages.be32(9_000))
        #expect(throws: ProductImageUpload.Problem.tooManyPixels(width: 9_000, height: 9_000)) { try ProductImageUpload.check(claimed) }
    }

    @Test func themeSizesAreFoundInImgURLFilters() {
        #expect(ProductImageResizeJob.imgURLWidths(in: "{{ image | img_url: '640x' }} {{ p | img_url: \"300x300\" }} {{ x | img_url }}") == [640, 300])
        #expect(ProductMediaStore.sizedKey("products/ab12.jpg", width: 600, fileExtension: "webp") == "products/ab12_600x.webp")
    }

    // MARK: Upload and resize over a real store

    @Test func uploadedImagesAreStoredQueuedAndResizedToEveryWidth() throws {
        guard let stack = StackEnvironment.load() else {
            withKnownIssue("no local stack: run `make test`") { _ = try StackEnvironment.require() }
            return
        }
        let store = try TestStore(stack: stack)
        let media = ProductMediaStore(dataDirectory: NSTemporaryDirectory() + "sf-media-\(store.storeId)", storeId: store.storeId)
        defer { try? FileManager.default.removeItem(atPath: media.directory) }
        let actor = CatalogActor(kind: "user", id: "1", label: "owner@example.com")
        let productId = try ProductAdmin.create(ProductInput(title: "Linen shirt", status: .active, variants: [VariantInput()]),
                                                by: actor, on: store.db)
        let uploads = [try ProductImageUpload.check(try TestImages.jpeg(width: 1000, height: 750)),
                       try ProductImageUpload.check(try TestImages.png(width: 300, height: 300))]
        let ids = try ProductImages.add(uploads, alt: "A linen shirt", productId: productId, media: media, by: actor, on: store.db)
        #expect(ids.count == 2)
        let listed = try ProductImages.list(productId: productId, on: store.db)
        #expect(listed.map(\.position) == [1, 2])
        #expect(listed.map(\.contentType) == ["image/jpeg", "image/png"])
        #expect(listed.allSatisfy { media.exists($0.storageKey) })
        let queued = try store.db.query("SELECT payload->>'image_id' AS id FROM outbox WHERE topic = 'media.resize' ORDER BY id")
            .map { try $0.decode("id", as: String.self) }
        #expect(queued == ids.map(String.init))

        let job = ProductImageResizeJob(media: media, widths: [200, 600, 1200])
        let started = Date()
        for id in ids { try job.run(imageId: id, on: store.db) }
        let perImage = Date().timeIntervalSince(started) / Double(ids.count)
        print("media.resize: \(String(format: "%.0f", perImage * 1000)) ms per image (3 widths, 2 formats)")

        for (image, original) in zip(listed, [1000, 300]) {
            let ownExtension = image.contentType == "image/png" ? "png" : "jpg"
            for width in [200, 600, 1200] {
                for ext in [ownExtension, "webp"] {
                    let key = ProductMediaStore.sizedKey(image.storageKey, width: width, fileExtension: ext)
                    let bytes = try #require(media.read(key), "\(key) was written")
                    let back = try MediaImage.open(bytes)
                    #expect(back.width == min(width, original), "\(key)")
                }
            }
        }
        #expect(try store.db.queryFirst("SELECT count(*)::int AS n FROM product_image_sizes")!.decode("n", as: Int.self) == 12)

        // Deleting removes the original and its copies; the other image moves up.
        try ProductImages.delete(imageId: ids[0], productId: productId, media: media, by: actor, on: store.db)
        #expect(!media.exists(listed[0].storageKey))
        #expect(!media.exists(ProductMediaStore.sizedKey(listed[0].storageKey, width: 600, fileExtension: "webp")))
        #expect(try ProductImages.list(productId: productId, on: store.db).map(\.position) == [1])
        // A job for a deleted image does nothing.
        #expect(try job.run(imageId: ids[0], on: store.db).imageGone)
    }
}

/// A freshly provisioned store of the local stack, reached with its own role.
struct TestStore {
    let storeId: Int64
    let db: Connection

    init(stack: StackEnvironment) throws {
        let owner = try Connection(url: try stack.value("STOREFLEET_REGISTRY_OWNER_URL"))
        let keyring = try Keyring.load(file: try stack.value("STOREFLEET_MASTER_KEY_FILE"), environment: [:])
        let migrations = try MigrationSet(directory: StackEnvironment.packageRoot() + "/migrations/tenant")
        let slug = "media-\(SecureRandom.token(bytes: 6).lowercased().filter { $0.isLetter || $0.isNumber }.prefix(8))"
        let store = try Provisioner(registry: owner, keyring: keyring, options: ProvisioningOptions(migrations: migrations))
            .provision(ProvisionRequest(slug: slug, name: "Media test", server: nil, currency: "USD",
                                        country: "US", timezone: "UTC", locale: "en"))
        storeId = store.storeId
        db = try Connection(url: try TenantConnector.connInfo(storeId: storeId, registry: owner, keyring: keyring).keywordString)
    }
}
