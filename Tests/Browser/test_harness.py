"""The harness itself: check_page passes a clean page and names every kind of problem it must
catch. Served from a throwaway HTTP server on loopback, so it needs no stack."""

import http.server
import threading

import pytest

from harness import PageProblems

CLEAN = b"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Clean</title>
<link rel="icon" href="data:,"></head><body>
<h1>Clean</h1><img src="/pixel.svg" alt="A dot"><img src="/pixel.svg" alt="">
<form><label for="q">Search</label><input id="q" name="q">
<label>Size <select name="size"><option>M</option></select></label>
<textarea name="note" aria-label="Note"></textarea>
<span id="lbl">Quantity</span><input name="qty" type="number" aria-labelledby="lbl">
<input type="hidden" name="_csrf" value="x"><button type="submit">Go</button></form>
</body></html>"""

BROKEN = b"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Broken</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/missing.css"></head><body>
<h1>Broken</h1><div class="too-wide" style="width:600px">wide</div>
<img src="/pixel.svg"><img src="http://127.0.0.1:1/refused.png" alt="Refused">
<input name="unlabelled"><select name="also"><option>1</option></select>
<script>undefinedFunction();</script>
</body></html>"""

PIXEL = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'


class Pages(http.server.BaseHTTPRequestHandler):
    routes = {"/clean": (b"text/html", CLEAN), "/broken": (b"text/html", BROKEN), "/pixel.svg": (b"image/svg+xml", PIXEL)}

    def do_GET(self):
        kind, body = self.routes.get(self.path, (b"text/plain", b"not found"))
        self.send_response(200 if self.path in self.routes else 404)
        self.send_header("Content-Type", kind.decode())
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_clean_page_passes(browser, site):
    browser.open(site + "/clean")
    saved = browser.check_page("clean", status=200)
    assert [path.rsplit("-", 1)[-1] for path in saved] == ["1280.png", "375.png"]


def test_every_problem_is_named(browser, site):
    browser.open(site + "/broken")
    with pytest.raises(PageProblems) as failure:
        browser.check_page("broken", status=200)
    report = str(failure.value)
    assert "console error" in report and "undefinedFunction" in report
    assert "/missing.css answered 404" in report
    assert "request failed: http://127.0.0.1:1/refused.png (Image, net::ERR_" in report  # a network failure
    assert "scrolls sideways at 375 px" in report and "div.too-wide" in report
    assert "form field without a label: input[name=unlabelled]" in report
    assert "form field without a label: select[name=also]" in report
    assert "image without alt: " in report


def test_an_unexpected_status_fails(browser, site):
    browser.open(site + "/nowhere")
    with pytest.raises(PageProblems, match="answered 404, expected 200"):
        browser.check_page("nowhere", status=200)
