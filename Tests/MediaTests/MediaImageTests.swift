import Testing
@testable import Media

/// libvips through the wrapper, on images made in the test.
struct MediaImageTests {
    @Test func resizesToTheWidthBoundInEveryFormat() throws {
        let png = try TestImages.png(width: 640, height: 480)
        let copies = try ImageResizer.copies(of: png, widths: [200, 1200], formats: [.webp, .png, .jpeg, .gif])
        #expect(copies.count == 8)
        for copy in copies {
            let back = try MediaImage.open(copy.bytes)
            #expect(back.width == min(copy.boundWidth, 640))
            #expect(back.height == back.width * 3 / 4)
        }
    }

    @Test func refusesBytesThatAreNotAnImage() {
        #expect(throws: MediaError.self) { _ = try MediaImage.thumbnail(Array("hello".utf8), width: 100, height: 100) }
    }
}
