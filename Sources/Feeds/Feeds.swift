// Feeds: shopping feeds for Google Merchant Center (RSS 2.0 + g:), Meta catalogs (CSV) and
// TikTok catalogs (CSV), written as a stream so memory stays flat whatever the catalog size.
//
//   FeedChannel        the channels and each one's field limits and wording
//   FeedText           HTML to plain text, XML-forbidden characters removed, cuts on characters
//   FeedMoney          minor units + ISO 4217 currency → "15.00 USD" (0- and 3-decimal currencies)
//   FeedSource         where variant rows come from; CatalogFeedSource streams the tenant database
//   FeedItemBuilder    one variant row → a channel-ready FeedItem plus per-product warnings
//   *FeedWriter        Google XML, Meta CSV, TikTok CSV, into a buffered FeedOutput
//   FeedGenerator      source → builder → writer; FeedFile writes a file atomically
