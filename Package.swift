// swift-tools-version:6.0
import PackageDescription

// Storefleet: a multi-tenant commerce platform. See docs/DESIGN.md for the map.
let package = Package(
    name: "Storefleet",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "storefleet", targets: ["storefleet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries: a module map and a shim header each, nothing else.
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CVips", pkgConfig: "vips", providers: [.apt(["libvips-dev"])]),

        // Bottom layer.
        .target(name: "Liquid"),
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        .target(name: "Crypto", dependencies: ["COpenSSL"]),
        .target(name: "HTTP"),
        // libvips: decode, resize, encode images (product media).
        .target(name: "Media", dependencies: ["CVips"]),
        // Shared by the test targets only: finding the local stack the tests run against.
        .target(name: "TestSupport"),

        // Middle.
        .target(name: "FastCGI", dependencies: ["CFastCGI", "HTTP"]),
        .target(name: "Registry", dependencies: ["Postgres", "Crypto"]),
        .target(name: "Commerce", dependencies: ["Postgres", "CLibXML2", "Media", "Crypto"]),
        .target(name: "Integrations", dependencies: ["CCurl", "Crypto"]),
        .target(name: "Feeds", dependencies: ["Commerce", "Postgres"]),

        // Handlers; never imports FastCGI.
        .target(name: "App", dependencies: ["HTTP", "Liquid", "Postgres", "Crypto", "Registry", "Commerce", "Integrations", "Feeds"]),

        // The executable.
        .executableTarget(name: "storefleet", dependencies: [
            "App", "FastCGI", "Registry", "Commerce", "Feeds", "Liquid", "Postgres", "Crypto", "HTTP",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "LiquidTests", dependencies: ["TestSupport", "Liquid"]),
        .testTarget(name: "PostgresTests", dependencies: ["TestSupport", "Postgres"]),
        .testTarget(name: "CryptoTests", dependencies: ["TestSupport", "Crypto"]),
        .testTarget(name: "HTTPTests", dependencies: ["TestSupport", "HTTP"]),
        .testTarget(name: "FastCGITests", dependencies: ["TestSupport", "FastCGI", "HTTP"]),
        .testTarget(name: "RegistryTests", dependencies: ["TestSupport", "Registry", "Postgres", "Crypto", "Commerce"]),
        .testTarget(name: "AppTests", dependencies: ["TestSupport", "App", "HTTP", "Registry", "Commerce", "Postgres", "Liquid", "Integrations"]),
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport", "Postgres", "Registry", "Crypto", "Integrations"]),
        .testTarget(name: "CommerceTests", dependencies: ["TestSupport", "Commerce", "Postgres", "Registry", "Crypto"]),
        .testTarget(name: "FeedsTests", dependencies: ["TestSupport", "Feeds", "Registry", "Postgres", "Crypto"], exclude: ["Expected"]),
        .testTarget(name: "MediaTests", dependencies: ["TestSupport", "Media", "Commerce", "Postgres", "Registry", "Crypto"]),
        .testTarget(name: "IntegrationsTests", dependencies: ["TestSupport", "Integrations"], exclude: ["Fixtures"]),
    ]
)
