import Testing
@testable import App

/// The QR encoder against known answers: the Reed–Solomon example of the QR tutorial at
/// thonky.com ("HELLO WORLD", 1-M) and a symbol from an independent encoder (segno 1.6, with
/// the standard's padding) for "HELLO", version 1-M, mask 0.
struct QRCodeTests {
    @Test func reedSolomonMatchesTheWorkedExample() {
        let data: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        #expect(ReedSolomon.remainder(data, divisor: ReedSolomon.divisor(degree: 10))
            == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    @Test func helloIsTheSymbolAnotherEncoderMakes() throws {
        let expected = """
111111100111001111111
100000101011001000001
101110100010001011101
101110100011001011101
101110101010101011101
100000100110101000001
111111101010101111111
000000000101100000000
101010100101000010010
101010000110001000010
000001100110100011111
101011010110001000010
011001110110101010100
000000001011010100110
111111100001011100111
100000100011110110000
101110101011011100111
101110100100001100110
101110101010100010101
100000100110001010010
111111101010101100111
"""
        let qr = try #require(QRCode("HELLO", forceMask: 0))
        #expect(qr.version == 1)
        #expect(qr.modules.map { $0.map { $0 ? "1" : "0" }.joined() }.joined(separator: "\n") == expected)
    }

    @Test func anAuthenticatorURIFitsAndLongTextDoesNot() throws {
        let uri = "otpauth://totp/Storefleet:someone.with.a.long.name@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Storefleet"
        let qr = try #require(QRCode(uri))
        #expect(qr.size == 17 + 4 * qr.version)
        let svg = qr.svg(label: "QR code")
        #expect(svg.hasPrefix("<svg") && svg.contains("role=\"img\"") && svg.contains("aria-label=\"QR code\""))
        #expect(QRCode(String(repeating: "x", count: 214)) == nil)
        #expect(QRCode(String(repeating: "x", count: 213))?.version == 10)
    }
}
