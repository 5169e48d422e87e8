import HTTP
import Testing
@testable import App

@Suite struct HealthAndMetricsTests {
    @Test func healthzAnswersOnAnyHostWithoutTheDatabase() throws {
        guard var stack = try AppStack.required() else { return }
        // A registry nobody listens on: /healthz must not care.
        stack = stack.withRegistry("postgresql://nobody@127.0.0.1:9/none?connect_timeout=1")
        let handle = try stack.handler()
        for host in [stack.platformDomain, "whatever.\(stack.platformDomain)", "unknown.example.com"] {
            let response = handle(try get("/healthz", host: host, headers: [("X-Request-Id", "health-check-0001")]))
            #expect(response.status == .ok)
            #expect(response.text == "ok\n")
            #expect(response.headers["X-Request-Id"] == "health-check-0001")
        }
        // The platform's own pages need no registry; stores say the platform is unavailable.
        #expect(handle(try get("/", host: stack.platformDomain)).status == .ok)
        let page = handle(try get("/", host: "shop.\(stack.platformDomain)"))
        #expect(page.status == .serviceUnavailable)
        #expect(page.text.contains("be back shortly"))
        #expect(!page.text.contains("postgres") && !page.text.contains("nobody"))
        #expect(page.headers["X-Request-Id"] != nil)
    }

    @Test func metricsWithoutTheTokenAreRefused() throws {
        guard let stack = try AppStack.required() else { return }
        let handle = try stack.handler(metrics: { "storefleet_requests_total 42\n" })
        let token = try #require(stack.config.metricsToken)
        for headers in [[], [("Authorization", "Bearer wrong-token")], [("Authorization", "Bearer " + token + "x")],
                        [("Authorization", "Basic " + token)], [("Authorization", token)]] {
            let response = handle(try get("/metrics", host: stack.platformDomain, headers: headers))
            #expect(response.status == .unauthorized, "headers \(headers)")
            #expect(!response.text.contains("storefleet_requests_total"))
            #expect(response.headers["WWW-Authenticate"] != nil)
        }
    }

    @Test func metricsWithTheTokenReturnPrometheusText() throws {
        guard let stack = try AppStack.required() else { return }
        let handle = try stack.handler(metrics: { "storefleet_requests_total 42\n" })
        let token = try #require(stack.config.metricsToken)
        let response = handle(try get("/metrics", host: stack.platformDomain, headers: [("Authorization", "Bearer " + token)]))
        #expect(response.status == .ok)
        #expect(response.text == "storefleet_requests_total 42\n")
        #expect(response.headers["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
    }

    @Test func metricsAreOnlyOnThePlatformHost() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "metrics", name: "Metrics Elsewhere")
        let handle = try stack.handler(metrics: { "storefleet_requests_total 42\n" })
        let token = try #require(stack.config.metricsToken)
        let response = handle(try get("/metrics", host: stack.host(store), headers: [("Authorization", "Bearer " + token)]))
        #expect(response.status == .notFound)
        #expect(!response.text.contains("storefleet_requests_total"))
    }

    @Test func everyResponseCarriesARequestId() throws {
        guard let stack = try AppStack.required() else { return }
        let handle = try stack.handler()
        for (path, host) in [("/", stack.platformDomain), ("/nope", stack.platformDomain), ("/", "nobody.example.com")] {
            let response = handle(try get(path, host: host))
            let id = try #require(response.headers["X-Request-Id"])
            #expect(id.count >= 8)
        }
    }
}

/// Pieces of the request path that need no stack.
@Suite struct RequestPathUnitTests {
    @Test func bearerTokenIsComparedExactly() {
        let endpoint = MetricsEndpoint(token: "s3cret-token", snapshot: { "" })
        #expect(endpoint.isAuthorized("Bearer s3cret-token"))
        #expect(endpoint.isAuthorized("bearer s3cret-token"))
        #expect(!endpoint.isAuthorized("Bearer s3cret-toke"))
        #expect(!endpoint.isAuthorized("Bearer s3cret-token "))
        #expect(!endpoint.isAuthorized("Bearer "))
        #expect(!endpoint.isAuthorized(nil))
        // No token configured: nobody gets in, not even with an empty bearer.
        #expect(!MetricsEndpoint(token: nil, snapshot: { "" }).isAuthorized("Bearer "))
        #expect(!MetricsEndpoint(token: "", snapshot: { "" }).isAuthorized("Bearer"))
    }

    @Test func platformLinksKeepTheVisitorsPort() {
        #expect(SiteLinks.port(ofHostHeader: "demo.storefleet.localhost:8080") == ":8080")
        #expect(SiteLinks.port(ofHostHeader: "demo.storefleet.localhost") == "")
        #expect(SiteLinks.port(ofHostHeader: "[::1]") == "")
        #expect(SiteLinks.port(ofHostHeader: "[::1]:8080") == ":8080")
        #expect(SiteLinks.port(ofHostHeader: nil) == "")
    }

    @Test func configurationComesFromTheContractKeys() throws {
        let config = try AppConfiguration.fromEnvironment([
            "STOREFLEET_PLATFORM_DOMAIN": "Storefleet.Localhost",
            "STOREFLEET_REGISTRY_URL": "postgresql://app@127.0.0.1:35432/storefleet_registry",
            "STOREFLEET_MASTER_KEY_FILE": "/tmp/master.key",
            "STOREFLEET_METRICS_TOKEN": "t0ken",
            "STOREFLEET_DEV": "1",
        ], packageRoot: "/repo")
        #expect(config.platformDomain == "storefleet.localhost")
        #expect(config.masterKeyFile == "/tmp/master.key")
        #expect(config.metricsToken == "t0ken")
        #expect(config.templateDirectory == "/repo/templates")
        #expect(config.developmentMode)
        #expect(throws: ConfigurationError.self) { try AppConfiguration.fromEnvironment([:]) }
    }

    @Test func moneyFormatsFollowTheCurrency() {
        #expect(MoneyFormats.forCurrency("USD").money == "${{amount}}")
        #expect(MoneyFormats.forCurrency("eur").money == "€{{amount_with_comma_separator}}")
        #expect(MoneyFormats.forCurrency("JPY").moneyWithCurrency == "¥{{amount_no_decimals}} JPY")
        #expect(MoneyFormats.forCurrency("XYZ").moneyWithCurrency == "{{amount}} XYZ")
    }
}

@Suite struct TenantBackoffTests {
    struct Unreachable: Error {}

    @Test func aFailedStoreIsRefusedUntilItsDelayAndOthersAreNot() {
        let backoff = TenantBackoff(initialDelay: 60)
        #expect(backoff.refusal(storeId: 1) == nil)
        backoff.failed(storeId: 1, error: Unreachable())
        #expect(backoff.refusal(storeId: 1) is Unreachable)
        #expect(backoff.refusal(storeId: 2) == nil)
        backoff.succeeded(storeId: 1)
        #expect(backoff.refusal(storeId: 1) == nil)
    }

    @Test func zeroDelayNeverRefuses() {
        let backoff = TenantBackoff(initialDelay: 0)
        backoff.failed(storeId: 1, error: Unreachable())
        #expect(backoff.refusal(storeId: 1) == nil)
    }
}
