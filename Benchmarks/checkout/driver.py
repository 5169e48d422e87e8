#!/usr/bin/env python3
"""Checkout benchmark driver: concurrent buyers, each with their own cookies, doing the whole
purchase through nginx — add to cart, GET /checkout, POST /checkout (contact and address),
GET and POST /checkout/shipping, GET /checkout/payment, POST /checkout/complete (a manual
payment method) — again and again for DURATION seconds. Prints one JSON object: completed
checkouts per second, and per step the count and the p50/p99 latency in milliseconds.

    driver.py --port 18481 --hosts a.storefleet.localhost,b.storefleet.localhost \
              --variants 12,13,14 --buyers 32 --duration 20

With several hosts each buyer picks a random store for each purchase; `--variants` is a list
per host (`host=id,id;host=id`) or one list for all. One keep-alive connection per buyer.
"""

import argparse
import http.client
import json
import random
import re
import threading
import time
import urllib.parse

STEPS = ["add", "information", "information_post", "shipping", "shipping_post", "payment", "complete"]
CSRF = re.compile(r'name="_csrf" value="([^"]+)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
RATE = re.compile(r'name="shipping_rate" value="(\d+)"')
METHOD = re.compile(r'name="payment_method" value="(\d+)"')


class Buyer:
    def __init__(self, port, host):
        self.port = port
        self.host = host
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies = {}

    def request(self, method, path, form=None):
        headers = {"Host": self.host}
        if self.cookies:
            headers["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = "http://%s:%d" % (self.host, self.port)
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 1:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, v = pair.partition("=")
                if "Max-Age=0" in value or not v:
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = v
        return response.status, response.getheader("Location"), data.decode("utf-8", "replace")


def purchase(buyer, variant, email, timings):
    """One whole checkout; returns True when it ended on an order page."""
    def step(name, method, path, form=None):
        started = time.perf_counter()
        result = buyer.request(method, path, form)
        timings[name].append((time.perf_counter() - started) * 1000)
        return result

    buyer.cookies.pop("sf_cart", None)
    status, location, _ = step("add", "POST", "/cart/add", [("id", str(variant)), ("quantity", "1")])
    if status != 303:
        return False
    status, _, page = step("information", "GET", "/checkout")
    match = CSRF.search(page)
    if status != 200 or not match:
        return False
    csrf = match.group(1)
    status, location, _ = step("information_post", "POST", "/checkout", [
        ("_csrf", csrf), ("email", email), ("first_name", "Bench"), ("last_name", "Buyer"),
        ("address1", "1 Load Street"), ("city", "Springfield"), ("province_code", "IL"),
        ("postal_code", "62701"), ("country_code", "US")])
    if location != "/checkout/shipping":
        return False
    status, _, page = step("shipping", "GET", "/checkout/shipping")
    rate = RATE.search(page)
    if not rate:
        return False
    status, location, _ = step("shipping_post", "POST", "/checkout/shipping", [("_csrf", csrf), ("shipping_rate", rate.group(1))])
    if location != "/checkout/payment":
        return False
    status, _, page = step("payment", "GET", "/checkout/payment")
    key, method = KEY.search(page), METHOD.search(page)
    if not key or not method:
        return False
    status, location, _ = step("complete", "POST", "/checkout/complete",
                               [("_csrf", csrf), ("idempotency_key", key.group(1)), ("payment_method", method.group(1))])
    return status == 303 and (location or "").startswith("/orders/")


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--hosts", required=True)
    parser.add_argument("--variants", required=True)
    parser.add_argument("--buyers", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    args = parser.parse_args()

    hosts = args.hosts.split(",")
    per_host = {}
    if "=" in args.variants:
        for part in args.variants.split(";"):
            host, _, ids = part.partition("=")
            per_host[host] = [int(x) for x in ids.split(",")]
    else:
        ids = [int(x) for x in args.variants.split(",")]
        per_host = {h: ids for h in hosts}

    lock = threading.Lock()
    totals = {"done": 0, "failed": 0}
    timings = {name: [] for name in STEPS}
    measuring = threading.Event()
    stop = threading.Event()

    def run(n):
        rng = random.Random(n)
        local = {name: [] for name in STEPS}
        done = failed = 0
        buyers = {}
        i = 0
        while not stop.is_set():
            host = rng.choice(hosts)
            buyer = buyers.get(host) or buyers.setdefault(host, Buyer(args.port, host))
            counted = measuring.is_set()
            scratch = local if counted else {name: [] for name in STEPS}
            try:
                ok = purchase(buyer, rng.choice(per_host[host]), "bench%d-%d@example.com" % (n, i), scratch)
            except Exception:
                ok = False
                buyer.conn.close()
                buyers.pop(host, None)
            i += 1
            if counted and not stop.is_set():
                if ok:
                    done += 1
                else:
                    failed += 1
        with lock:
            totals["done"] += done
            totals["failed"] += failed
            for name in STEPS:
                timings[name].extend(local[name])

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(args.buyers)]
    for t in threads:
        t.start()
    time.sleep(args.warmup)
    measuring.set()
    started = time.perf_counter()
    time.sleep(args.duration)
    stop.set()
    elapsed = time.perf_counter() - started
    for t in threads:
        t.join(60)
    print(json.dumps({
        "buyers": args.buyers,
        "stores": len(hosts),
        "seconds": round(elapsed, 1),
        "checkouts": totals["done"],
        "failed": totals["failed"],
        "checkouts_per_second": round(totals["done"] / elapsed, 1),
        "steps": {name: {"count": len(timings[name]), "p50_ms": round(percentile(timings[name], 50), 1),
                         "p99_ms": round(percentile(timings[name], 99), 1)} for name in STEPS},
    }))


if __name__ == "__main__":
    main()
