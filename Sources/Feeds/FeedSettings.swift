import Postgres

/// A store's settings for one channel (`shopping_feeds` and `shopping_feed_collections`).
public struct FeedSettings: Sendable, Hashable {
    public var channel: FeedChannel
    public var enabled: Bool
    /// The secret part of the feed's public URL.
    public var urlToken: String?
    public var brandFallback: String
    public var googleProductCategory: String?
    /// Only products of these collections; empty: the whole active catalog.
    public var collectionIds: [Int64]

    public init(channel: FeedChannel, enabled: Bool = false, urlToken: String? = nil, brandFallback: String = "",
                googleProductCategory: String? = nil, collectionIds: [Int64] = []) {
        self.channel = channel
        self.enabled = enabled
        self.urlToken = urlToken
        self.brandFallback = brandFallback
        self.googleProductCategory = googleProductCategory
        self.collectionIds = collectionIds
    }

    /// The stored settings, or the defaults when the store never set this channel up.
    public static func load(_ channel: FeedChannel, on db: Connection) throws -> FeedSettings {
        guard let row = try db.queryFirst("""
            SELECT f.enabled, f.url_token, f.brand_fallback, f.google_product_category,
                   ARRAY(SELECT c.collection_id FROM shopping_feed_collections c WHERE c.feed_id = f.id
                         ORDER BY c.collection_id) AS collection_ids
            FROM shopping_feeds f WHERE f.channel = \(channel.rawValue)
            """) else { return FeedSettings(channel: channel) }
        return FeedSettings(
            channel: channel, enabled: try row.decode("enabled"), urlToken: try row.decode("url_token"),
            brandFallback: try row.decode("brand_fallback"),
            googleProductCategory: try row.decode("google_product_category"),
            collectionIds: try row.decode("collection_ids"))
    }
}
