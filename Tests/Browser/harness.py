"""Browser-test harness: headless Chromium (Debian's chromium + chromium-driver) driven by Selenium
against the running test stack.

    stack = Stack.load()                     # .data/test/stack.env (or STOREFLEET_STACK_ENV)
    browser = Browser("test_name")           # conftest.py's `browser` fixture does this
    browser.open(stack.platform_url + "/")
    browser.check_page("landing")            # screenshots + checks; fails on any problem

`check_page(name)` saves test-output/browser/<test>/<NN>-<name>-<width>.png at 1280 and 375 px
(the whole page: the window is made as tall as the document) and fails the test, listing every
problem at once, on:
- a console error (level SEVERE: script errors, CSP violations, failed loads Chromium reports),
- a failed request: a network failure, or HTTP status >= 400 for any subresource (the page's own
  document may answer with any status: a form re-rendered with errors is a 422 on purpose; pass
  `status=` to check it),
- a page that scrolls sideways at 375 px (scrollWidth > clientWidth), naming the elements that
  stick out (outside boxes that scroll or clip by themselves),
- a visible input/select/textarea (not hidden/submit/button/reset/image) without a label
  (label[for], a wrapping label, aria-label or aria-labelledby with text),
- an <img> without an alt attribute (alt="" is fine: decorative), or one that failed to load.
Problems seen since the previous check (e.g. while a form was submitted) count too.
"""

import email
import email.policy
import html
import json
import os
import re
import subprocess
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUTPUT = os.path.join(REPO, "test-output", "browser")
CHROMIUM = os.environ.get("STOREFLEET_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("STOREFLEET_CHROMEDRIVER", "/usr/bin/chromedriver")
WIDTHS = (1280, 375)
WINDOW_HEIGHT = 900
MAX_SCREENSHOT_HEIGHT = 8000
WAIT_SECONDS = 15


class Stack:
    """The running test stack, as described by its stack.env (docs/CONTRACTS.md, Local stack)."""

    def __init__(self, values, path):
        self.values = values
        self.path = path
        self.port = int(values["STOREFLEET_HTTP_PORT"])
        self.domain = values.get("STOREFLEET_PLATFORM_DOMAIN", "storefleet.localhost")
        # Chromium resolves *.localhost to loopback itself: no /etc/hosts entry needed.
        self.platform_url = "http://%s:%d" % (self.domain, self.port)
        self.binary = os.environ.get("STOREFLEET_BIN") or values.get("STOREFLEET_BIN", "")

    @classmethod
    def load(cls):
        path = os.environ.get("STOREFLEET_STACK_ENV") or os.path.join(REPO, ".data", "test", "stack.env")
        if not os.path.exists(path):
            raise RuntimeError(
                "no test stack: %s does not exist. Start it with `make test`, or "
                "`STOREFLEET_BIN=.build/debug/storefleet scripts/stack.sh up test`" % path
            )
        values = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#") and "=" in line:
                    key, _, value = line.partition("=")
                    values[key] = value
        return cls(values, path)

    def require(self, key):
        """A stack.env value the test cannot do without; a clear failure when the stack predates it."""
        if not self.values.get(key):
            raise AssertionError(
                "%s has no %s: the stack was started by an older scripts/stack.sh; run "
                "scripts/stack.sh up test again (make test does)" % (self.path, key)
            )
        return self.values[key]

    def store_url(self, slug):
        return "http://%s.%s:%d" % (slug, self.domain, self.port)

    def environment(self):
        env = dict(os.environ)
        env.update(self.values)
        return env

    def storefleet(self, *args):
        """Runs the stack's `storefleet` executable with the stack's settings; returns its stdout."""
        if not self.binary or not os.access(self.binary, os.X_OK):
            raise RuntimeError("no storefleet executable (STOREFLEET_BIN=%r)" % self.binary)
        done = subprocess.run(
            [self.binary, *args], cwd=REPO, env=self.environment(), capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError("storefleet %s failed (%d): %s" % (" ".join(args), done.returncode, done.stderr.strip()))
        return done.stdout


class PageProblems(AssertionError):
    pass


class Browser:
    """One headless Chromium for one test. Use `open`, `find`, `type_into`, `click_and_wait`,
    `wait_for`, and `check_page` after each page worth looking at."""

    def __init__(self, test_name):
        self.test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
        self.folder = os.path.join(OUTPUT, self.test_name)
        os.makedirs(self.folder, exist_ok=True)
        self.count = 0
        self.requests = {}  # requestId -> (url, resource type), from the performance log
        self.pending = []   # problems seen in the logs, not yet reported by check_page
        self.document_status = None  # the last page's own HTTP status

        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=%d,%d" % (WIDTHS[0], WINDOW_HEIGHT),
            "--hide-scrollbars",
            "--lang=en-US",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
        ):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        # A service with the Debian driver's path: Selenium Manager never tries to download one.
        self.driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
        self.driver.set_page_load_timeout(30)

    def quit(self):
        try:
            self.driver.quit()
        except Exception:
            pass

    # -- navigation and forms -------------------------------------------------------------------

    def open(self, url):
        self.driver.set_window_size(WIDTHS[0], WINDOW_HEIGHT)
        self.driver.get(url)
        self._wait_loaded()

    @property
    def url(self):
        return self.driver.current_url

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self):
        return self.find("body").text

    def field(self, label_text):
        """The form field whose label reads `label_text` (case-insensitive, ignoring extra words
        like "(optional)"): what a person would look for."""
        wanted = label_text.strip().lower()
        for label in self.find_all("label"):
            if label.text.strip().lower().startswith(wanted):
                target = label.get_attribute("for")
                if target:
                    return self.driver.find_element(By.ID, target)
                inner = label.find_elements(By.CSS_SELECTOR, "input, select, textarea")
                if inner:
                    return inner[0]
        raise AssertionError("no field labelled %r on %s" % (label_text, self.url))

    def type_into(self, element_or_css, text):
        element = self.find(element_or_css) if isinstance(element_or_css, str) else element_or_css
        element.clear()
        element.send_keys(text)
        return element

    def button(self, text):
        """A button or submit input (or a link styled as one) whose visible text contains `text`."""
        wanted = text.strip().lower()
        for element in self.find_all("button, input[type=submit], a.btn"):
            label = (element.text or element.get_attribute("value") or "").strip().lower()
            if wanted in label and element.is_displayed():
                return element
        raise AssertionError("no button %r on %s" % (text, self.url))

    def submit_button(self, field):
        """The submit button of the form `field` belongs to: its .btn-primary if it has one, never
        a `skip` button."""
        form = field.find_element(By.XPATH, "./ancestor::form")
        buttons = [b for b in form.find_elements(By.CSS_SELECTOR, "button:not([type=button]), input[type=submit]")
                   if b.is_displayed() and b.get_attribute("name") != "skip"]
        if not buttons:
            raise AssertionError("the form of %s has no visible submit button" % field.get_attribute("name"))
        primary = [b for b in buttons if "btn-primary" in (b.get_attribute("class") or "").split()]
        return (primary or buttons)[0]

    def page_status(self):
        """The HTTP status the current page's document answered with (problems stay pending)."""
        self._read_logs()
        return self.document_status

    def click_and_wait(self, element):
        """Clicks something that loads a new page (a submit button, a link) and waits for it."""
        old = self.find("html")
        try:
            element.click()
        except WebDriverException:
            # The click started the navigation so fast that chromedriver's own follow-up found
            # its node gone ("Node with given id does not belong to the document"): that is the
            # page loading, not a failed click. Anything else is re-raised.
            if not _is_gone(old):
                raise
        try:
            WebDriverWait(self.driver, WAIT_SECONDS).until(lambda _: _is_gone(old))
        except TimeoutException:
            raise AssertionError("clicking did not load a new page within %ds (still %s)" % (WAIT_SECONDS, self.url))
        self._wait_loaded()

    def wait_for(self, condition, seconds=WAIT_SECONDS, message=""):
        """WebDriverWait on `condition(driver)` (a DOM condition, never a sleep)."""
        return WebDriverWait(self.driver, seconds, poll_frequency=0.2).until(condition, message)

    def _wait_loaded(self):
        WebDriverWait(self.driver, WAIT_SECONDS).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )

    # -- the check ------------------------------------------------------------------------------

    def check_page(self, name, status=None, may_leave=False):
        """Screenshots at every width and fails on anything a visitor would notice (see module doc).

        `may_leave=True` is for a page that moves on by itself (a progress page): when it left
        while being checked, the check is dropped (its screenshots stay) and whatever the logs
        showed counts at the next check instead. Returns the screenshots' paths ([] when dropped)."""
        self.count += 1
        self._wait_loaded()
        start_url = self.url
        problems = []
        saved = []
        try:
            for width in WIDTHS:
                self._fit_window(width)
                if width <= 400:
                    problems += self._sideways_scroll(width)
                path = os.path.join(self.folder, "%02d-%s-%d.png" % (self.count, _file_part(name), width))
                self.driver.save_screenshot(path)
                saved.append(os.path.relpath(path, REPO))
            self.driver.set_window_size(WIDTHS[0], WINDOW_HEIGHT)
            problems += self._structure()
        except WebDriverException:
            if not (may_leave and self.url != start_url):
                raise
        if may_leave and self.url != start_url:
            self.driver.set_window_size(WIDTHS[0], WINDOW_HEIGHT)
            return []
        self._read_logs()
        problems += self.pending
        self.pending = []
        if status is not None:
            actual = self.document_status
            if actual != status:
                problems.append("the page answered %s, expected %d" % (actual, status))
        if problems:
            raise PageProblems(
                "page %r (%s) has problems:\n  - %s\n  screenshots: %s"
                % (name, self.url, "\n  - ".join(problems), ", ".join(saved))
            )
        return saved

    def _fit_window(self, width):
        self.driver.set_window_size(width, WINDOW_HEIGHT)
        # The window is taller than the viewport by the (invisible) browser frame.
        height, frame = self.driver.execute_script(
            "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight]"
        )
        height = max(WINDOW_HEIGHT, min(int(height), MAX_SCREENSHOT_HEIGHT)) + max(0, int(frame))
        self.driver.set_window_size(width, height)
        # Lazy images in view now: wait until every image has finished (loaded or failed).
        try:
            WebDriverWait(self.driver, WAIT_SECONDS, poll_frequency=0.1).until(
                lambda d: d.execute_script(
                    "return document.fonts.status === 'loaded' && "
                    "Array.from(document.images).every(i => i.complete)"
                )
            )
        except TimeoutException:
            self.pending.append("images or fonts still loading after %ds at %d px" % (WAIT_SECONDS, width))

    def _sideways_scroll(self, width):
        found = self.driver.execute_script(
            """
            const root = document.documentElement;
            if (root.scrollWidth <= root.clientWidth) return null;
            const limit = root.clientWidth + 1;
            // Inside a box that scrolls or clips sideways by itself, wide content is fine.
            const contained = el => {
              for (let a = el.parentElement; a && a !== document.body; a = a.parentElement)
                if (getComputedStyle(a).overflowX !== 'visible') return true;
              return false;
            };
            const wide = Array.from(document.body.querySelectorAll('*')).filter(el => {
              const r = el.getBoundingClientRect();
              return r.right > limit && r.width > 0 && !contained(el);
            });
            // Name the innermost culprits, with a bit of their text.
            const inner = wide.filter(el => !wide.some(other => other !== el && el.contains(other)));
            return [root.scrollWidth, root.clientWidth, inner.slice(0, 5).map(el => {
              let name = el.tagName.toLowerCase();
              if (el.id) name += '#' + el.id;
              if (typeof el.className === 'string' && el.className.trim())
                name += '.' + el.className.trim().split(/\\s+/).join('.');
              const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
              return name + (text ? ' "' + text + '"' : '') +
                ' (right edge ' + Math.round(el.getBoundingClientRect().right) + ')';
            })];
            """
        )
        if not found:
            return []
        scroll, client, wide = found
        return [
            "scrolls sideways at %d px (scrollWidth %d > clientWidth %d); too wide: %s"
            % (width, scroll, client, ", ".join(wide) or "?")
        ]

    def _structure(self):
        return self.driver.execute_script(
            """
            const problems = [];
            const describe = el => {
              let d = el.tagName.toLowerCase();
              if (el.getAttribute('type')) d += '[type=' + el.getAttribute('type') + ']';
              if (el.name) d += '[name=' + el.name + ']';
              if (el.id) d += '#' + el.id;
              return d;
            };
            const skip = ['hidden', 'submit', 'button', 'reset', 'image'];
            for (const el of document.querySelectorAll('input, select, textarea')) {
              if (el.tagName === 'INPUT' && skip.includes((el.getAttribute('type') || '').toLowerCase())) continue;
              if (el.getClientRects().length === 0 || getComputedStyle(el).visibility === 'hidden') continue;
              const aria = (el.getAttribute('aria-label') || '').trim();
              const by = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
                .map(id => document.getElementById(id)).filter(n => n && n.textContent.trim());
              const labels = Array.from(el.labels || []).filter(l => l.textContent.trim());
              if (!aria && by.length === 0 && labels.length === 0)
                problems.push('form field without a label: ' + describe(el));
            }
            for (const img of document.images) {
              const src = img.currentSrc || img.getAttribute('src') || '';
              if (!img.hasAttribute('alt')) problems.push('image without alt: ' + src);
              if (img.complete && img.naturalWidth === 0 && src)
                problems.push('image did not load: ' + src);
            }
            return problems;
            """
        )

    def _read_logs(self):
        documents = set()  # pages' own URLs: their status is `status=`'s business
        for entry in self.driver.get_log("performance"):
            try:
                message = json.loads(entry["message"])["message"]
            except (KeyError, ValueError):
                continue
            method, params = message.get("method"), message.get("params", {})
            if method == "Network.requestWillBeSent":
                self.requests[params["requestId"]] = (params["request"]["url"], params.get("type"))
            elif method == "Network.responseReceived":
                response = params.get("response", {})
                status = int(response.get("status", 0))
                if params.get("type") == "Document":
                    self.document_status = status
                    documents.add(response.get("url"))
                elif status >= 400:
                    self.pending.append("request failed: %s answered %d" % (response.get("url"), status))
            elif method == "Network.loadingFailed":
                if params.get("canceled"):
                    continue  # left behind by a navigation, not broken
                url, kind = self.requests.get(params.get("requestId"), ("?", params.get("type")))
                self.pending.append("request failed: %s (%s, %s)" % (url, kind or params.get("type"), params.get("errorText")))
        for entry in self.driver.get_log("browser"):
            if entry.get("level") != "SEVERE":
                continue
            text = entry.get("message", "").strip()
            # Chromium logs a page answered with 4xx/5xx as a failed load, too.
            if entry.get("source") == "network" and text.split(" - ", 1)[0] in documents:
                continue
            self.pending.append("console error: %s" % text)


class Mailbox:
    """The mail the stack's SMTP catcher caught (STOREFLEET_MAIL_DIR: index.jsonl + <id>.eml)."""

    def __init__(self, stack):
        self.folder = stack.require("STOREFLEET_MAIL_DIR")

    def messages_to(self, address):
        """Parsed messages (email.message.EmailMessage) sent to `address`, oldest first."""
        found = []
        try:
            with open(os.path.join(self.folder, "index.jsonl"), encoding="utf-8") as f:
                lines = f.readlines()
        except FileNotFoundError:
            return found
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if any(address.lower() == r.lower() for r in entry.get("rcpt_tos", [])):
                with open(os.path.join(self.folder, entry["file"]), "rb") as f:
                    found.append(email.message_from_binary_file(f, policy=email.policy.default))
        return found

    def wait_for(self, address, seconds=30, count=1):
        """Waits (polling the index, bounded) until `count` messages to `address` have arrived."""
        deadline = time.monotonic() + seconds
        while True:
            messages = self.messages_to(address)
            if len(messages) >= count:
                return messages
            if time.monotonic() > deadline:
                raise AssertionError(
                    "no mail to %s within %ds (is `storefleet jobs` running and sending to the catcher? "
                    "see .data/test/logs/jobs.log)" % (address, seconds)
                )
            time.sleep(0.2)

    @staticmethod
    def text(message):
        """The message's text: the plain part, else the HTML part, else the body."""
        part = message.get_body(preferencelist=("plain", "html"))
        return (part or message).get_content()

    @staticmethod
    def links(message):
        body = Mailbox.text(message)
        return [html.unescape(link) for link in re.findall(r"https?://[^\s\"'<>]+", body)]


def _file_part(name):
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "page"


def unique_suffix():
    """Short and unique per run: for e-mail addresses and subdomains."""
    return "%x%s" % (int(time.time() * 1000) % 0xFFFFFFFFF, os.urandom(2).hex())


def _is_gone(element):
    """True once `element` left the document. Chromium reports that either as a stale element
    or, mid-navigation, as "Node with given id does not belong to the document"."""
    try:
        element.is_enabled()
        return False
    except WebDriverException:
        return True
