import Foundation
import TestSupport
@testable import Feeds

/// The small catalog the writers are checked against (Expected/*): variants with options, a
/// sale price, a variant image, HTML and Unicode in a description, characters XML forbids,
/// quotes/commas/newlines for CSV, a title longer than every channel allows, and products
/// that cannot be listed (no image, no variant).
enum FeedFixture {
    static let store = FeedStore(
        name: "Atelier Nord & Co", baseURL: "https://shop.example.com/", mediaPrefix: "/media/sf_store_7",
        currency: "USD", brandFallback: "", googleProductCategory: "Apparel & Accessories > Clothing")

    static let longTitle = String(repeating: "Très long titre — ", count: 12) + "fin"

    static var records: [FeedVariantRecord] {
        let sweater = FeedVariantRecord(
            productId: 10, handle: "merino-sweater", title: "Merino Sweater",
            descriptionHTML: "<p>Soft <strong>merino</strong> &amp; silk — naïve ☃.</p><ul><li>Warm</li><li>Light</li></ul>",
            vendor: "Nordwool", productType: "Knitwear", googleProductCategory: "1604", variantCount: 3,
            variantId: 101, variantTitle: "S / Blue", sku: "SW-S", barcode: "4006381333931", priceMinor: 8900,
            weightGrams: 350, inventoryQuantity: 5, options: [("Size", "S"), ("Color", "Blue")],
            imageKeys: ["products/sweater-front.jpg", "products/sweater back.jpg"])
        var medium = sweater
        medium.variantId = 102
        medium.variantTitle = "M / Blue"
        medium.sku = "SW-M"
        medium.barcode = nil
        medium.mpn = "NW-M-BLU"
        medium.priceMinor = 6900
        medium.compareAtMinor = 8900
        medium.inventoryQuantity = 2
        medium.options = [("Size", "M"), ("Color", "Blue")]
        medium.variantImageKey = "products/sweater-m.jpg"
        var large = sweater
        large.variantId = 103
        large.variantTitle = "L / Blue"
        large.sku = nil
        large.barcode = nil
        large.inventoryQuantity = 0
        large.options = [("Size", "L"), ("Color", "Blue")]
        return [
            sweater, medium, large,
            FeedVariantRecord(
                productId: 11, handle: "tea-gift-box", title: "Tea & \"Biscuits\" <Gift> Box",
                descriptionHTML: "Contains: tea, biscuits<br>and \"love\".\u{1}\u{FFFE} Enjoy, friends!",
                variantId: 111, priceMinor: 1250, inventoryTracked: false, inventoryQuantity: 0,
                imageKeys: ["/assets/samples/tea.svg"]),
            FeedVariantRecord(
                productId: 12, handle: "very-long-title", title: longTitle, vendor: "Maison Ünïque",
                condition: "refurbished", variantId: 121, mpn: "MU-1", priceMinor: 250000, compareAtMinor: 250000,
                imageKeys: ["products/long.png"]),
            FeedVariantRecord(productId: 13, handle: "no-image-mug", title: "No Image Mug", vendor: "Mugs",
                              variantId: 131, priceMinor: 1500),
            FeedVariantRecord(productId: 14, handle: "empty", title: "Empty Product", variantId: nil, priceMinor: nil,
                              imageKeys: ["products/empty.jpg"]),
        ]
    }

    /// The feed as bytes, with the warnings it raised.
    static func generate(_ channel: FeedChannel, records: [FeedVariantRecord] = records)
        throws -> (text: String, summary: FeedSummary, warnings: [FeedWarning]) {
        var bytes: [UInt8] = []
        var warnings: [FeedWarning] = []
        let out = FeedOutput(chunkSize: 64) { bytes.append(contentsOf: $0) }   // small chunks: many flushes
        let summary = try FeedGenerator(channel: channel, store: store)
            .generate(from: ListFeedSource(records), to: out) { warnings.append($0) }
        return (String(decoding: bytes, as: UTF8.self), summary, warnings)
    }

    static func expected(_ name: String) throws -> String {
        try String(contentsOfFile: StackEnvironment.packageRoot() + "/Tests/FeedsTests/Expected/" + name, encoding: .utf8)
    }
}
