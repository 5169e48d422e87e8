import Foundation
import HTTP
import Registry
import TestSupport
import Testing
@testable import App

/// Whole-page snapshots: status, headers and body in a text file under `__Snapshots__/`,
/// reviewed like code. Re-record with `STOREFLEET_RECORD_SNAPSHOTS=1` and review the diff.
/// The store's random slug and registry id are replaced by `STORE` and `ID`; everything else in
/// the fixtures is fixed.
@Suite(.serialized) struct StorefrontSnapshotTests {
    @Test func storefrontHome() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "snap", name: "Fieldnote Supply Co.", currency: "USD")
        try stack.addProducts(store, [
            ("Canvas Tote", 3800, nil),
            ("Brass Pencil", 2400, 3000),
            ("Dot Grid Notebook", 1600, nil),
        ], imageFor: { $0 == 0 ? "/assets/sample/backpack.svg" : nil })
        let request = try get("/", host: stack.host(store), headers: [("X-Request-Id", "snapshot-request-0001")])
        let response = try stack.handler()(request)
        try assertSnapshot(named: "storefront-home", of: response, store: store)
    }

    @Test func storefrontPages() throws {
        guard let stack = try AppStack.required() else { return }
        let store = try stack.provisionStore(prefix: "snappages", name: "Fieldnote Supply Co.", currency: "USD")
        try StorefrontFixtures.seed(stack, store)
        let handle = try stack.handler()
        let pages = [
            ("storefront-collection", "/collections/carry"),
            ("storefront-collection-all-filtered", "/collections/all?sort_by=price-ascending&filter.p.vendor=Harbor+%26+Pine"),
            ("storefront-product", "/products/field-jacket"),
            ("storefront-product-variant", "/products/field-jacket?option1=L"),
            ("storefront-search", "/search?q=canvas"),
            ("storefront-page", "/pages/about"),
            ("storefront-404", "/no-such-page"),
        ]
        for (name, path) in pages {
            let response = handle(try get(path, host: stack.host(store), headers: [("X-Request-Id", "snapshot-request-0001")]))
            try assertSnapshot(named: name, of: response, store: store)
        }
    }
}

/// Compares `response` with `__Snapshots__/<name>.txt`; records it when missing or asked to.
func assertSnapshot(named name: String, of response: Response, store: ProvisionedStore? = nil,
                    sourceLocation: SourceLocation = #_sourceLocation) throws {
    var text = "\(response.status.code) \(response.status.reason)\n"
    for field in response.headers.sorted(by: { $0.name.lowercased() < $1.name.lowercased() }) {
        text += "\(field.name): \(field.value)\n"
    }
    text += "\n" + (try response.bodyText())
    if let store {
        text = text.replacingOccurrences(of: store.slug, with: "STORE")
            .replacingOccurrences(of: "sf_store_\(store.storeId)/", with: "sf_store_ID/")
    }
    let folder = StackEnvironment.packageRoot() + "/Tests/AppTests/__Snapshots__"
    let path = folder + "/" + name + ".txt"
    let record = ProcessInfo.processInfo.environment["STOREFLEET_RECORD_SNAPSHOTS"] == "1"
    guard !record, let expected = try? String(contentsOfFile: path, encoding: .utf8) else {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        Issue.record("recorded snapshot \(name).txt; review it and run the test again", sourceLocation: sourceLocation)
        return
    }
    if expected != text {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let b = text.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) ?? min(a.count, b.count)
        let was = line < a.count ? String(a[line]) : "<end of file>"
        let now = line < b.count ? String(b[line]) : "<end of file>"
        Issue.record("snapshot \(name).txt differs at line \(line + 1):\n  expected: \(was)\n  actual:   \(now)",
                     sourceLocation: sourceLocation)
    }
}
