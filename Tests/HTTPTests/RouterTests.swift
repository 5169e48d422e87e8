import Testing
@testable import HTTP

@Suite struct RouterTests {
    func makeRouter() -> Router {
        var router = Router()
        router.get("/") { _, _ in .text("home") }
        router.get("/products") { _, _ in .text("list") }
        router.get("/products/new") { _, _ in .text("new form") }
        router.get("/products/:handle") { _, p in .text("product \(p["handle"]!)") }
        router.post("/products/:handle") { r, p in .text("updated \(p["handle"]!) via \(r.parameters["handle"]!)") }
        router.get("/products/:handle/reviews/:id") { _, p in .text("review \(p["id"]!) of \(p["handle"]!)") }
        router.get("/assets/*path") { _, p in .text("asset \(p["path"]!)") }
        router.add(.delete, "/cart/items/:id") { _, p in .text("deleted \(p["id"]!)") }
        router.get("/boom") { _, _ in throw InternalFailure() }
        router.get("/forbidden") { _, _ in throw HTTPError(.forbidden, "Not your store.") }
        return router
    }

    struct InternalFailure: Error, CustomStringConvertible {
        var description: String { "connection to 10.0.0.5:5432 failed: password authentication failed" }
    }

    func get(_ router: Router, _ uri: String, _ method: Method = .get) throws -> Response {
        router.route(try Request(method: method, uri: uri))
    }

    @Test func matchesLiteralsParametersAndWildcards() throws {
        let router = makeRouter()
        #expect(try get(router, "/").bodyText() == "home")
        #expect(try get(router, "/products/").bodyText() == "list")
        #expect(try get(router, "/products/new").bodyText() == "new form")
        #expect(try get(router, "/products/blue-mug").bodyText() == "product blue-mug")
        #expect(try get(router, "/products/caf%C3%A9").bodyText() == "product café")
        #expect(try get(router, "/products/blue-mug/reviews/7").bodyText() == "review 7 of blue-mug")
        #expect(try get(router, "/assets/css/site.css").bodyText() == "asset css/site.css")
        #expect(try get(router, "/assets").bodyText() == "asset ")
        #expect(try get(router, "/products/blue-mug", .post).bodyText() == "updated blue-mug via blue-mug")
        #expect(try get(router, "/cart/items/3", .delete).bodyText() == "deleted 3")
    }

    @Test func answers404ForUnknownPaths() throws {
        let r = try get(makeRouter(), "/nope/nothing")
        #expect(r.status == .notFound)
        #expect(try r.bodyText().contains("There is nothing here."))
    }

    @Test func answers405WithAllow() throws {
        let router = makeRouter()
        let r = try get(router, "/products/blue-mug", .put)
        #expect(r.status == .methodNotAllowed)
        #expect(r.headers["Allow"] == "GET, HEAD, POST")
        let d = try get(router, "/cart/items/3")
        #expect(d.status == .methodNotAllowed)
        #expect(d.headers["Allow"] == "DELETE")
    }

    @Test func answersHEADWithTheGETHeadersAndNoBody() throws {
        let router = makeRouter()
        let r = try get(router, "/products/blue-mug", .head)
        #expect(r.status == .ok)
        #expect(r.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(r.headers["Content-Length"] == "16")
        #expect(try r.collectBody().isEmpty)
    }

    @Test func errorPagesShowThePublicMessageAndNeverInternals() throws {
        let router = makeRouter()
        let boom = try get(router, "/boom")
        #expect(boom.status == .internalServerError)
        let page = try boom.bodyText()
        #expect(!page.contains("10.0.0.5"))
        #expect(!page.contains("password"))
        #expect(page.contains("Something went wrong"))
        let forbidden = try get(router, "/forbidden")
        #expect(forbidden.status == .forbidden)
        #expect(try forbidden.bodyText().contains("Not your store."))
        #expect(throws: InternalFailure.self) { try router.dispatch(try Request(uri: "/boom")) }
    }

    @Test func laterRegistrationReplacesEarlier() throws {
        var router = makeRouter()
        router.get("/") { _, _ in .text("new home") }
        #expect(try get(router, "/").bodyText() == "new home")
    }
}
