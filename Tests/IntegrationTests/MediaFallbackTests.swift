import Foundation
import Testing
import TestSupport

extension ThroughTheStack {
@Suite("Store media through nginx")
struct MediaFallbackTests {
    @Test("A resized copy not made yet falls back to the original; nothing else is invented")
    func resizedCopyFallsBackToOriginal() throws {
        guard let stack = stackOrRecordIssue() else { return }
        let port = try stack.httpPort()
        let host = "demo." + (try stack.platformDomain())
        let folder = try stack.value("STOREFLEET_DATA_DIR") + "/media/sf_store_it_fallback/products"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let original: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array("original".utf8)
        let copy: [UInt8] = Array("RIFF-webp-copy".utf8)
        try Data(original).write(to: URL(fileURLWithPath: folder + "/k1.png"))
        try Data(copy).write(to: URL(fileURLWithPath: folder + "/k1_400x.webp"))

        let made = try RawHTTPClient.request(port: port, target: "/media/sf_store_it_fallback/products/k1_400x.webp", host: host)
        #expect(made.status == 200)
        #expect(made.body == copy)
        #expect(made.header("Content-Type") == "image/webp")

        let pending = try RawHTTPClient.request(port: port, target: "/media/sf_store_it_fallback/products/k1_800x.webp", host: host)
        #expect(pending.status == 200)
        #expect(pending.body == original)
        #expect(pending.header("Content-Type") == "image/png")

        for target in ["/media/sf_store_it_fallback/products/k2_800x.webp",
                       "/media/sf_store_it_fallback/products/..%2f..%2f..%2fmaster_800x.png"] {
            let response = try RawHTTPClient.request(port: port, target: target, host: host)
            #expect(response.status == 404, "\(target)")
        }
    }
}
}
