import Foundation
import HTTP
import Registry
import TestSupport
import Testing
@testable import App

/// Product images in the bundled themes: uploads are shown through their resized copies
/// (`img_url`, WebP first, `srcset`/`sizes`), images without copies (sample SVGs) as the original.
@Suite(.serialized) struct StorefrontProductImageTests {
    static let key = "products/0123456789abcdef0123456789abcdef.jpg"

    @Test func uploadedImagesUseResizedCopies() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "imgurl", name: "Image Shop", currency: "USD")
        try stack.addProducts(store, [("Canvas Tote", 3800, nil), ("Brass Pencil", 2400, nil)],
                              imageFor: { $0 == 0 ? Self.key : "/assets/sample/mug.svg" })
        let handle = try stack.handler()
        let media = "/media/sf_store_\(store.storeId)/products/0123456789abcdef0123456789abcdef"

        let home = try handle(try get("/", host: stack.host(store))).bodyText()
        #expect(home.contains("<source type=\"image/webp\" srcset=\"\(media)_200x.webp 200w, \(media)_400x.webp 400w"))
        #expect(home.contains("<img src=\"\(media)_400x.jpg\" srcset=\"\(media)_200x.jpg 200w, \(media)_400x.jpg 400w, \(media)_600x.jpg 600w, \(media)_800x.jpg 800w\""))
        #expect(home.contains("alt=\"Canvas Tote photo\" width=\"800\" height=\"1000\""))
        // The sample image has no copies: the original, as before.
        #expect(home.contains("<img src=\"/assets/sample/mug.svg\" alt=\"Brass Pencil photo\" width=\"800\" height=\"1000\""))
        #expect(!home.contains("mug_"))

        let product = try handle(try get("/products/canvas-tote", host: stack.host(store))).bodyText()
        #expect(product.contains("<img src=\"\(media)_600x.jpg\" srcset=\"\(media)_400x.jpg 400w"))
        #expect(product.contains("\(media)_1600x.webp 1600w"))
        #expect(product.contains("fetchpriority=\"high\""))
        #expect(!product.contains("src=\"\(media).jpg\""))
    }
}
