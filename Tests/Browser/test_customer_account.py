"""A shopper's account in Chromium, in both starter themes: sign up (the empty form's errors
first) → the confirmation mail from the catcher → confirm and log in → the account page → add an
address (errors first) → log out → log in again; and the product page's reviews section. Every
page is checked by `check_page` at 1280 and 375 px (console errors, failed requests, sideways
scrolling, unlabeled fields, images without alt)."""

import pytest

from harness import Mailbox, unique_suffix
from test_storefront import db_theme


@pytest.fixture(scope="module")
def account_store(stack):
    slug = "accounts-" + unique_suffix()
    stack.storefleet("provision", "--slug", slug, "--name", "Account Outfitters", "--sample-data",
                     "--sample-count", "4")
    yield slug
    stack.storefleet("deprovision", "--slug", slug)


@pytest.mark.parametrize("theme", ["atelier", "mono"])
def test_customer_account(browser, stack, account_store, theme):
    slug = account_store
    db_theme(stack, slug, theme)
    base = stack.store_url(slug)
    email = "shopper-%s-%s@example.com" % (theme, unique_suffix())
    password = "correct horse battery"

    # Sign up: errors next to the fields first.
    browser.open(base + "/account/register")
    browser.wait_for(lambda d: ("/themes/%s/" % theme) in d.page_source, message="the store is not in %s" % theme)
    browser.check_page("register", status=200)
    browser.click_and_wait(browser.button("Create account"))
    assert browser.find_all("[aria-invalid=true]")
    browser.check_page("register-errors", status=422)
    browser.type_into(browser.field("First name"), "Ada")
    browser.type_into(browser.field("Last name"), "Lovelace")
    browser.type_into(browser.field("Email"), email)
    browser.type_into(browser.field("Password"), password)
    browser.click_and_wait(browser.button("Create account"))
    assert browser.url.endswith("/account/register/sent"), browser.url
    browser.check_page("check-inbox", status=200)

    # The mailed link confirms and logs in.
    message = Mailbox(stack).wait_for(email)[-1]
    link = next(l for l in Mailbox.links(message) if "/account/confirm/" in l)
    browser.open(base + link[link.index("/account/confirm/"):])
    browser.check_page("confirm", status=200)
    browser.click_and_wait(browser.button("Confirm and log in"))
    assert browser.url.endswith("/account"), browser.url
    assert "Hello, Ada" in browser.text() or "HELLO, ADA" in browser.text().upper()
    browser.check_page("account", status=200)

    # Addresses: errors first, then a saved default address.
    browser.open(base + "/account/addresses")
    browser.check_page("addresses", status=200)
    browser.click_and_wait(browser.button("Save address"))
    assert browser.find_all("[aria-invalid=true]")
    browser.check_page("address-errors", status=422)
    browser.type_into(browser.field("Last name"), "Lovelace")
    browser.type_into(browser.field("Street address"), "12 Analytical Row")
    browser.type_into(browser.field("City"), "London")
    browser.click_and_wait(browser.button("Save address"))
    assert "12 Analytical Row" in browser.text()
    browser.check_page("addresses-saved", status=200)

    # Log out, then log in with the password chosen at sign-up.
    browser.open(base + "/account")
    browser.click_and_wait(browser.button("Log out"))
    browser.open(base + "/account/login")
    browser.check_page("login", status=200)
    browser.type_into(browser.field("Email"), email)
    browser.type_into(browser.field("Password"), "not the password")
    browser.click_and_wait(browser.button("Log in"))
    browser.check_page("login-error", status=422)
    browser.type_into(browser.field("Password"), password)
    browser.click_and_wait(browser.button("Log in"))
    assert browser.url.endswith("/account"), browser.url

    # A product page has the reviews section and its form, the same for everyone.
    browser.open(base + "/")
    product = browser.find("main a[href*='/products/']").get_attribute("href")
    browser.open(product)
    assert browser.find_all("#reviews form[action$='/reviews'] input[name=rating]")
    browser.check_page("product-reviews", status=200)
