import Testing
@testable import Feeds

@Suite struct FeedTextTests {
    @Test func htmlBecomesPlainTextWithParagraphs() {
        let html = "<p>Soft <b>merino</b> &amp; silk.</p><script>alert(1)</script><ul><li>Warm</li><li>Light&nbsp;weight</li></ul><!-- note -->Made in Portugal &#x1F1F5;&#x1F1F9; &copy; 2026 &bogus; 5 < 6"
        #expect(FeedText.plainText(fromHTML: html) == "Soft merino & silk.\n\nWarm\nLight weight\n\nMade in Portugal 🇵🇹 © 2026 &bogus; 5 < 6")
    }

    @Test func forbiddenCharactersAreRemoved() {
        #expect(FeedText.singleLine("A\u{0}B\u{1}C\u{7}\u{FFFE}D\u{FFFF}\u{85}E\tF\nG") == "ABCDE F G")
        #expect(FeedText.plainText(fromHTML: "x&#1;y&#xFFFF;z") == "xyz")
    }

    @Test func cutsOnCharacterBoundaries() {
        let flags = String(repeating: "🇫🇷", count: 10)       // 2 scalars each
        let cut = FeedText.cut(flags, to: 5)
        #expect(cut.wasCut)
        #expect(cut.text == "🇫🇷🇫🇷")
        let accents = "e\u{301}e\u{301}e\u{301}"                 // é as e + combining accent
        #expect(FeedText.cut(accents, to: 3).text == "e\u{301}")
        #expect(FeedText.cut("short", to: 10) == ("short", false))
        #expect(FeedText.cut("two words", to: 4).text == "two")
    }

    @Test func pricesUseTheCurrencysDecimals() {
        #expect(FeedMoney.format(minor: 1500, currency: "USD") == "15.00 USD")
        #expect(FeedMoney.format(minor: 5, currency: "EUR") == "0.05 EUR")
        #expect(FeedMoney.format(minor: 1500, currency: "JPY") == "1500 JPY")
        #expect(FeedMoney.format(minor: 1250, currency: "KWD") == "1.250 KWD")
        #expect(FeedMoney.format(minor: 7, currency: "BHD") == "0.007 BHD")
    }

    @Test func gtinsNeedTheirCheckDigit() {
        #expect(FeedItemBuilder.validGTIN("4006381333931") == "4006381333931")
        #expect(FeedItemBuilder.validGTIN("4006381333932") == nil)
        #expect(FeedItemBuilder.validGTIN("036000291452") == "036000291452")
        #expect(FeedItemBuilder.validGTIN("ABC") == nil)
    }
}
