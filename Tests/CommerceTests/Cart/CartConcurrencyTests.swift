import Dispatch
import Postgres
import Testing
@testable import Commerce

@Suite("Carts under concurrent requests")
struct CartConcurrencyTests {
    /// Two tabs adding at the same time: the cart row is locked for each change, so no add is lost
    /// (each reads the quantity the other wrote).
    @Test("parallel adds to one cart lose nothing")
    func parallelAdds() throws {
        try StoreFixture.run("cart-race") { f in
            let mug = try CartProduct.make(f, title: "Mug", priceMinor: 1_000, stock: 100)
            let (token, _) = try Carts.create(f.db, currency: "USD")
            let connections = Connections([try Connection(url: f.url), try Connection(url: f.url)])
            let failures = Failures()
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                for _ in 0..<20 {
                    do { _ = try Carts.add(connections.list[i], token: token, variantId: mug.variantId, quantity: 1) }
                    catch { failures.add("\(error)") }
                }
            }
            #expect(failures.all.isEmpty)
            let c = try #require(try Carts.open(f.db, token: token))
            #expect(c.line(variantId: mug.variantId)?.quantity == 40)
        }
    }
}

/// Errors seen on other threads.
private final class Failures: @unchecked Sendable {
    private let lock = DispatchQueue(label: "cart-failures")
    private var items: [String] = []
    func add(_ s: String) { lock.sync { items.append(s) } }
    var all: [String] { lock.sync { items } }
}

/// One connection per thread, never shared: each thread uses only its own.
private final class Connections: @unchecked Sendable {
    let list: [Connection]
    init(_ list: [Connection]) { self.list = list }
}
