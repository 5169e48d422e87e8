import HTTP
@testable import App

extension ShopperClient {
    /// GET of a redirect's target (the 303 after a cart or checkout POST), or the response
    /// itself when it is not a redirect.
    @discardableResult
    func follow(_ response: Response) throws -> Response {
        guard let location = response.headers["Location"] else { return response }
        return try get(WebClient.pathOf(location))
    }
}
