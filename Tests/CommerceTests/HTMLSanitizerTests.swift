import Testing
@testable import Commerce

@Suite("HTML sanitiser")
struct HTMLSanitizerTests {
    @Test("keeps allowed formatting, lists, headings, tables and safe links")
    func keepsAllowed() {
        let html = #"<h2>Care</h2><p>Wash <strong>cold</strong>, <em>never</em> <b>bleach</b> <i>it</i> <u>please</u>.<br>Thanks</p>"#
            + #"<ul><li>one</li></ul><ol><li>two</li></ol><blockquote>quote</blockquote>"#
            + #"<table><caption>Sizes</caption><thead><tr><th scope="col">S</th></tr></thead><tbody><tr><td colspan="2">36</td></tr></tbody></table>"#
        #expect(HTMLSanitizer.sanitize(html) == html)
        #expect(HTMLSanitizer.sanitize(#"<a href="https://example.com/a?b=1&amp;c=2" title="Shop">x</a>"#)
                == #"<a href="https://example.com/a?b=1&amp;c=2" title="Shop" rel="noopener noreferrer nofollow">x</a>"#)
        #expect(HTMLSanitizer.sanitize(#"<a href="mailto:hi@example.com">mail</a>"#)
                == #"<a href="mailto:hi@example.com" rel="noopener noreferrer nofollow">mail</a>"#)
        #expect(HTMLSanitizer.sanitize(#"<img src="/media/a.jpg" alt="A mug" width="300" onerror="x()">"#)
                == #"<img src="/media/a.jpg" alt="A mug" width="300">"#)
    }

    @Test("drops scripts, styles, event handlers and embedded documents with their content", arguments: [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>",
        "<style>body{display:none}</style>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<object data=\"x.swf\"><param name=a value=b>fallback</object>",
        "<svg/onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<embed src=\"x.swf\">",
        "<template><img src=x onerror=alert(1)></template>",
        "<!-- <img src=x onerror=alert(1)> -->",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<link rel=stylesheet href=\"javascript:alert(1)\">",
        "<base href=\"javascript:alert(1)//\">",
    ])
    func dropsDangerous(_ input: String) {
        let out = HTMLSanitizer.sanitize(input)
        #expect(!out.lowercased().contains("alert"), "\(input) → \(out)")
        #expect(!out.lowercased().contains("<script"))
        #expect(!out.contains("<!--"))
    }

    @Test("links and images with script or data URLs lose them, however they are disguised", arguments: [
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
        "<a href=\" javascript:alert(1)\">x</a>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "<a href=\"jav\tascript:alert(1)\">x</a>",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
        "<a href=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)\">x</a>",
        "<a href=\"\u{1}javascript:alert(1)\">x</a>",
        "<a href=\"vbscript:alert(1)\">x</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
        "<img src=\"javascript:alert(1)\">",
        "<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
        "<IMG SRC=`javascript:alert(1)`>",
        "<img src=x:alert(1) onerror=eval(src)>",
    ])
    func dropsUnsafeURLs(_ input: String) {
        let out = HTMLSanitizer.sanitize(input)
        #expect(!out.lowercased().contains("script:"), "\(input) → \(out)")
        #expect(!out.lowercased().contains("data:"))
        #expect(!out.contains("onerror"))
        #expect(!out.contains("href="))
        #expect(!out.contains("<img"))
    }

    @Test("attribute and tag breakouts end up as text or nothing")
    func breakouts() {
        #expect(HTMLSanitizer.sanitize(#"<p title="x" onclick="alert(1)" style="color:red" class="big">hi</p>"#) == "<p>hi</p>")
        let quote = HTMLSanitizer.sanitize(#"<img src="/a.png" alt="&quot; onerror=&quot;alert(1)">"#)
        #expect(quote == #"<img src="/a.png" alt="&quot; onerror=&quot;alert(1)">"#)
        let nested = HTMLSanitizer.sanitize("<<script>script>alert(1)<</script>/script>")
        #expect(!nested.contains("<script") && !nested.contains("alert"))
        #expect(!HTMLSanitizer.sanitize("<scr<script>ipt>alert(1)</script>").contains("<script"))
        #expect(HTMLSanitizer.sanitize("1 < 2 & 3 > 2") == "<p>1 &lt; 2 &amp; 3 &gt; 2</p>" ||
                HTMLSanitizer.sanitize("1 < 2 & 3 > 2") == "1 &lt; 2 &amp; 3 &gt; 2")
    }

    @Test("unknown wrappers are unwrapped, their text kept; unclosed tags are closed")
    func unwrapsAndCloses() {
        #expect(HTMLSanitizer.sanitize("<div><span style=\"x\">Soft</span> <font color=red>cotton</font></div>") == "Soft cotton")
        #expect(HTMLSanitizer.sanitize("<p><strong>bold") == "<p><strong>bold</strong></p>")
        #expect(HTMLSanitizer.sanitize("<h1>Title</h1><h6>Small</h6>") == "<h2>Title</h2><h4>Small</h4>")
        #expect(HTMLSanitizer.sanitize("<a>no target</a>") == "no target")
        #expect(HTMLSanitizer.sanitize("") == "")
        #expect(HTMLSanitizer.sanitize("Plain words") == "<p>Plain words</p>" || HTMLSanitizer.sanitize("Plain words") == "Plain words")
    }

    @Test("plain text for meta descriptions")
    func plainText() {
        #expect(HTMLSanitizer.plainText("<p>Soft &amp; warm</p><ul><li>wool</li></ul><script>x()</script>") == "Soft & warm wool")
    }
}
