"""The wizard benchmark (see run.sh): a merchant made in the registry, then RUNS wizard runs
through nginx, each timed from the review page's submit to a storefront 200 with the store name."""
import http.client
import os
import secrets
import statistics
import subprocess
import sys
import time
import urllib.parse


def read_env(path):
    values = {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def psql(url, sql):
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atq", "-c", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


class Browser:
    def __init__(self, port, host, session, csrf):
        self.port, self.host, self.csrf = port, host, csrf
        self.cookies = {"sf_session": session}

    def send(self, method, path, form=None, host=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": host or self.host,
                   "Cookie": "; ".join("%s=%s" % kv for kv in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode([("_csrf", self.csrf)] + form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, v = pair.partition("=")
                if "Max-Age=0" in value or not v:
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = v
        conn.close()
        return response.status, data.decode("utf-8", "replace"), dict(response.getheaders())


def main():
    env = read_env(sys.argv[1])
    runs = int(sys.argv[2])
    owner = env["STOREFLEET_REGISTRY_OWNER_URL"]
    port = int(env["STOREFLEET_HTTP_PORT"])
    domain = env["STOREFLEET_PLATFORM_DOMAIN"]
    tag = secrets.token_hex(4)
    token, csrf = secrets.token_hex(32), secrets.token_hex(24)
    user_id = psql(owner, "INSERT INTO users (email, name, password_hash, email_verified_at) "
                          "VALUES ('wizard-bench-%s@example.com', 'Wizard Bench', 'x', now()) RETURNING id" % tag)
    org_id = psql(owner, "SELECT storefleet_create_organization('Wizard bench %s', %s)" % (tag, user_id))
    psql(owner, "UPDATE organizations SET store_limit = %d WHERE id = %s" % (runs + 10, org_id))
    psql(owner, "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) VALUES "
                "(sha256(convert_to('%s', 'UTF8')), %s, '%s', now() + interval '1 hour')" % (token, user_id, csrf))
    browser = Browser(port, domain, token, csrf)

    times = []
    for i in range(runs):
        slug = "bench-%s-%02d" % (tag, i)
        name = "Bench Store %s %02d" % (tag, i)
        steps = [("/stores/new", [("name", name), ("subdomain", slug)]),
                 ("/stores/new/template", [("template", "atelier"), ("sample_data", "yes")]),
                 ("/stores/new/locale", [("country", "DE"), ("currency", "EUR"), ("timezone", "Europe/Berlin"), ("language", "de")]),
                 ("/stores/new/product", [("product_title", "Bench Mug"), ("product_price", "12.50")])]
        for path, form in steps:
            status, text, _ = browser.send("POST", path, form)
            if status != 303:
                sys.exit("%s answered %d: %s" % (path, status, text[:300]))
        started = time.perf_counter()
        status, text, headers = browser.send("POST", "/stores/new/review", [])
        if status != 303:
            sys.exit("/stores/new/review answered %d: %s" % (status, text[:300]))
        deadline = started + 60
        while True:
            status, text, _ = browser.send("GET", "/", host="%s.%s" % (slug, domain))
            if status == 200 and name in text and "Bench Mug" in text:
                break
            if time.perf_counter() > deadline:
                sys.exit("%s: no live storefront after 60 s (is `storefleet jobs` running a build with the wizard?)" % slug)
            time.sleep(0.01)
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        print("run %2d  %s  %.3f s" % (i + 1, slug, elapsed), flush=True)

    times.sort()
    p50 = statistics.median(times)
    p90 = times[min(len(times) - 1, int(round(0.9 * len(times))) - 1)]
    print("runs=%d  p50=%.3f s  p90=%.3f s  min=%.3f s  max=%.3f s  (target p50 < 2 s: %s)" % (
        len(times), p50, p90, times[0], times[-1], "met" if p50 < 2 else "NOT met"))


if __name__ == "__main__":
    main()
