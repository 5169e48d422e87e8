"""The storefront's pages in Chromium at 1280 and 375 px: home, a collection with filters, a
product with its variant picker, search, a static page and the 404 — in both starter themes.
`check_page` fails on console errors, failed requests, sideways scrolling, missing alt text and
unlabeled controls."""

import pytest

from harness import unique_suffix


@pytest.fixture(scope="module")
def sample_store(stack):
    """A store with the demo catalog (products with sizes and colours, collections, pages)."""
    slug = "shopfront-" + unique_suffix()
    stack.storefleet("provision", "--slug", slug, "--name", "Browser Outfitters", "--sample-data",
                     "--sample-count", "12")
    yield slug
    stack.storefleet("deprovision", "--slug", slug)


def first_product_with_options(browser, stack, slug):
    browser.open(stack.store_url(slug) + "/collections/all")
    for link in [a.get_attribute("href") for a in browser.find_all("a.card__link")]:
        browser.open(link)
        if browser.find_all("form[data-picker] input[type=radio]"):
            return link
    return None


def test_storefront_pages(browser, stack, sample_store):
    slug = sample_store
    base = stack.store_url(slug)

    browser.open(base + "/")
    assert browser.find("h1").text.strip()
    assert browser.find_all("a[href^='/products/']"), "the home page lists no products"
    browser.check_page("home", status=200)

    browser.open(base + "/collections/all")
    browser.check_page("collection", status=200)
    # Filters and sorting are a plain GET form.
    form = browser.find("form.facets")
    assert form.get_attribute("method") == "get"
    browser.open(base + "/collections/all?sort_by=price-descending&filter.v.availability=1")
    assert browser.find("#sort-by option[selected]").get_attribute("value") == "price-descending"
    browser.check_page("collection-sorted", status=200)

    link = first_product_with_options(browser, stack, slug)
    assert link, "the demo catalog has no product with options"
    browser.check_page("product", status=200)
    # With JavaScript, picking another option updates the page and the address at once.
    radios = browser.find_all("form[data-picker] input[type=radio]:not(:checked)")
    assert radios
    target = radios[0]
    label = browser.find("label[for='%s']" % target.get_attribute("id"))
    browser.driver.execute_script("arguments[0].click()", label)
    browser.wait_for(lambda d: "variant=" in d.current_url, message="the address did not follow the picked option")
    assert not browser.find("[data-picker-submit]").is_displayed()
    browser.check_page("product-picked", status=200)

    browser.open(base + "/search?q=a")
    browser.check_page("search", status=200)

    browser.open(base + "/pages/contact")
    browser.check_page("contact", status=200)

    browser.open(base + "/no-such-page")
    assert "couldn" in browser.text()
    browser.check_page("not-found", status=404)


def test_second_theme_pages(browser, stack, sample_store):
    """The Mono theme over the same store: the wizard offers it, so it must pass the same checks."""
    slug = sample_store
    db_theme(stack, slug, "mono")
    try:
        base = stack.store_url(slug)
        for name, path in (("home", "/"), ("collection", "/collections/all"), ("search", "/search?q=a")):
            browser.open(base + path)
            browser.wait_for(lambda d: "/themes/mono/" in d.page_source, message="the store did not switch to Mono")
            browser.check_page("mono-" + name, status=200)
        link = first_product_with_options(browser, stack, slug)
        assert link
        browser.check_page("mono-product", status=200)
    finally:
        db_theme(stack, slug, "atelier")


def db_theme(stack, slug, theme):
    """Makes `theme` the store's current theme, in its own database (what the admin will do)."""
    import subprocess
    owner = stack.require("STOREFLEET_REGISTRY_OWNER_URL")
    row = subprocess.run(
        ["psql", owner, "-AtF", " ", "-c",
         "SELECT d.database_name, s.name FROM stores st JOIN tenant_databases d ON d.store_id = st.id "
         "JOIN database_servers s ON s.id = d.server_id WHERE st.slug = '%s'" % slug],
        capture_output=True, text=True, check=True).stdout.split()
    database, server = row[0], row[1]
    admin = stack.require("STOREFLEET_SERVER2_ADMIN_URL" if server == "server2" else "STOREFLEET_SERVER1_ADMIN_URL")
    url = admin.rsplit("/", 1)[0] + "/" + database
    subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-c",
         "UPDATE theme_settings SET is_current = false WHERE is_current; "
         "INSERT INTO theme_settings (theme, is_current) VALUES ('%s', true) "
         "ON CONFLICT (theme) DO UPDATE SET is_current = true" % theme],
        capture_output=True, text=True, check=True)
