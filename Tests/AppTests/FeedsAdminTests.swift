import Foundation
import HTTP
import Postgres
import Registry
import Testing
@testable import App

/// The store admin's feeds page (issue 8): status and settings per channel, the secret URL and
/// its rotation, regeneration queued as a job.
@Suite("Store admin: feeds")
struct FeedsAdminTests {
    @Test func theOwnerSeesEveryChannelAndCanSwitchOneOn() throws {
        guard let shop = try AdminTests.shop("adm-feeds") else { return }
        let db = try shop.stack.tenantConnection(shop.store)
        try db.execute("INSERT INTO collections (handle, title) VALUES ('summer', 'Summer & Sun')")
        let client = try shop.stack.signedInClient(userId: shop.owner.userId)

        let page = try client.get(shop.admin + "/feeds")
        #expect(page.status == .ok)
        let html = page.text
        for name in ["Google Merchant Center", "Meta (Facebook &amp; Instagram)", "TikTok"] {
            #expect(html.contains(name), "\(name) missing")
        }
        #expect(html.contains("Summer &amp; Sun"))
        #expect(html.contains("<label for=\"feed-google-brand\">"))

        let saved = try client.post(shop.admin + "/feeds/google", [
            ("enabled", "1"), ("brand_fallback", "Olive House"), ("google_product_category", "1604")])
        #expect(saved.status == .seeOther)
        let row = try #require(try db.queryFirst(
            "SELECT enabled, brand_fallback, google_product_category, url_token FROM shopping_feeds WHERE channel = 'google'"))
        #expect(try row.decode("enabled", as: Bool.self))
        #expect(try row.decode("brand_fallback", as: String.self) == "Olive House")
        #expect(try row.decode("google_product_category", as: String?.self) == "1604")
        let token: String = try row.decode("url_token")
        let jobs = try shop.stack.ownerConnection().queryFirst("""
            SELECT count(*)::int AS n FROM jobs WHERE kind = 'feeds.generate' AND store_id = \(shop.store.storeId)
            """)!
        #expect(try jobs.decode("n", as: Int.self) >= 1, "saving an enabled feed queues its generation")

        let after = try client.get(shop.admin + "/feeds").text
        #expect(after.contains("/feeds/\(token).xml"))

        // Rotating gives a new secret URL.
        _ = try client.post(shop.admin + "/feeds/google/rotate", [])
        let rotated: String = try db.queryFirst("SELECT url_token FROM shopping_feeds WHERE channel = 'google'")!.decode("url_token")
        #expect(rotated != token)
        #expect(try client.get(shop.admin + "/feeds").text.contains("/feeds/\(rotated).xml"))
    }

    @Test func badSettingsAre422NextToTheFieldAndNothingIsSaved() throws {
        guard let shop = try AdminTests.shop("adm-feeds-bad") else { return }
        let client = try shop.stack.signedInClient(userId: shop.owner.userId)
        _ = try client.get(shop.admin + "/feeds")
        let response = try client.post(shop.admin + "/feeds/meta", [
            ("enabled", "1"), ("brand_fallback", String(repeating: "b", count: 71))])
        #expect(response.status == .unprocessableContent)
        #expect(response.text.contains("id=\"feed-meta-brand-error\">Use at most 70 characters"))
        let enabled: Bool = try shop.stack.tenantConnection(shop.store)
            .queryFirst("SELECT enabled FROM shopping_feeds WHERE channel = 'meta'")!.decode("enabled")
        #expect(!enabled)
        #expect(try client.post(shop.admin + "/feeds/nonsense", [("enabled", "1")]).status == .notFound)
    }
}
