"""A whole purchase in Chromium, in both starter themes: home → product → add to cart → cart →
checkout (information, with the errors of an empty form first; shipping; payment) → place the
order with bank transfer → the confirmation page, and the confirmation mail in the catcher.
Every step is screenshot at 1280 and 375 px and checked by `check_page` (console errors, failed
requests, sideways scrolling, unlabeled fields, images without alt)."""

import pytest
from selenium.webdriver.support.ui import Select

from harness import Mailbox, unique_suffix
from test_storefront import db_theme


@pytest.fixture(scope="module")
def purchase_store(stack):
    """A store with the demo catalog, shipping to its country and the rest of the world, and bank
    transfer / cash on delivery (what `provision --sample-data` sets up)."""
    slug = "purchase-" + unique_suffix()
    stack.storefleet("provision", "--slug", slug, "--name", "Purchase Outfitters", "--sample-data",
                     "--sample-count", "8")
    yield slug
    stack.storefleet("deprovision", "--slug", slug)


@pytest.mark.parametrize("theme", ["atelier", "mono"])
def test_purchase(browser, stack, purchase_store, theme):
    slug = purchase_store
    db_theme(stack, slug, theme)
    base = stack.store_url(slug)
    email = "buyer-%s-%s@example.com" % (theme, unique_suffix())

    browser.open(base + "/")
    browser.wait_for(lambda d: ("/themes/%s/" % theme) in d.page_source, message="the store is not in %s" % theme)
    browser.check_page("home", status=200)
    product_links = [a.get_attribute("href") for a in browser.find_all("main a[href*='/products/']")]
    assert product_links, "the home page lists no products"

    # The first product that can be bought.
    for link in product_links:
        browser.open(link)
        buttons = [b for b in browser.find_all("form[action='/cart/add'] button[type=submit]")
                   if b.is_enabled() and b.is_displayed()]
        if buttons:
            break
    else:
        raise AssertionError("no product on the home page can be added to the cart")
    browser.check_page("product", status=200)
    title = browser.find("h1").text.strip()
    browser.click_and_wait(buttons[0])

    assert "/cart" in browser.url, browser.url
    assert title.lower() in browser.text().lower()
    browser.check_page("cart", status=200)
    browser.click_and_wait(browser.button("Check out"))

    # Information: an empty form first, then the address.
    assert browser.url.endswith("/checkout"), browser.url
    browser.check_page("information", status=200)
    browser.click_and_wait(browser.button("Continue to shipping"))
    assert "enter your email address." in browser.text().lower()
    assert browser.find_all("[aria-invalid=true]")
    browser.check_page("information-errors", status=422)
    browser.type_into(browser.field("Email"), email)
    Select(browser.field("Country")).select_by_value("US")
    browser.type_into(browser.field("First name"), "Ada")
    browser.type_into(browser.field("Last name"), "Lovelace")
    browser.type_into(browser.field("Address"), "12 Analytical Way")
    browser.type_into(browser.field("City"), "Springfield")
    state = browser.field("State")
    if state.tag_name == "select":
        Select(state).select_by_value("IL")
    else:
        browser.type_into(state, "IL")
    browser.type_into(browser.find("#field-postal_code"), "62701")   # "Postal code", or "ZIP code" once the US is chosen
    browser.click_and_wait(browser.button("Continue to shipping"))

    # Shipping: the rates of the rest-of-world zone, with prices.
    assert browser.url.endswith("/checkout/shipping"), browser.url + "\n" + browser.text()
    assert browser.find_all("input[name=shipping_rate]")
    browser.check_page("shipping", status=200)
    browser.click_and_wait(browser.button("Continue to payment"))

    # Payment and review.
    assert browser.url.endswith("/checkout/payment"), browser.url
    assert "bank transfer" in browser.text().lower()
    browser.check_page("payment", status=200)
    for radio in browser.find_all("input[name=payment_method]"):
        label = radio.find_element("xpath", "./ancestor::label")
        if "bank transfer" in label.text.lower():
            browser.driver.execute_script("arguments[0].click()", radio)
    browser.click_and_wait(browser.button("Place order"))

    # The confirmation page.
    assert "/orders/" in browser.url, browser.url
    text = browser.text().lower()   # Mono sets headings in capitals
    assert "thank you for your order" in text
    assert "how to pay" in text
    assert title.lower() in text
    browser.check_page("confirmation", status=200)
    number = browser.find(".order-status__number").text.strip().split("#")[-1]
    assert number.isdigit(), number

    mail = Mailbox(stack).wait_for(email)[-1]
    body = Mailbox.text(mail)
    assert ("#" + number) in body
    assert any("/orders/" in link for link in Mailbox.links(mail))
