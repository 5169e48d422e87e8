/// Rendered storefront pages of every store one worker serves, keyed by store and URL, each
/// tagged with the `storefront_version` it was rendered at (a page is served only while the
/// store's version is still that one).
///
/// Bounded by bytes with two generations: hits are looked up in the current generation, then
/// the previous one (and promoted); when the current one outgrows half the budget it becomes
/// the previous one and the old previous one is dropped. That keeps recently used pages, like
/// an LRU, with O(1) work per request and no per-entry bookkeeping.
final class PageCache {
    struct Key: Hashable {
        let storeId: Int64
        /// Scheme, host, path and the query in a canonical order.
        let url: String
    }

    struct Page {
        let version: Int64
        let status: Int
        let contentType: String
        let body: [UInt8]
    }

    private var current: [Key: Page] = [:]
    private var previous: [Key: Page] = [:]
    private var currentBytes = 0
    let byteBudget: Int

    init(byteBudget: Int) {
        self.byteBudget = max(byteBudget, 1)
    }

    func page(_ key: Key) -> Page? {
        if let page = current[key] { return page }
        guard let page = previous.removeValue(forKey: key) else { return nil }
        insert(key, page)
        return page
    }

    func store(_ key: Key, _ page: Page) {
        previous[key] = nil
        if let old = current[key] { currentBytes -= old.body.count + key.url.utf8.count }
        insert(key, page)
    }

    private func insert(_ key: Key, _ page: Page) {
        let size = page.body.count + key.url.utf8.count
        guard size <= byteBudget / 2 else { return }    // too big to keep
        if currentBytes + size > byteBudget / 2 {
            previous = current
            current = [:]
            currentBytes = 0
        }
        current[key] = page
        currentBytes += size
    }

    var count: Int { current.count + previous.count }
}
