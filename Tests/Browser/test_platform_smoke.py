"""The platform's landing page and a storefront, as a visitor sees them in Chromium."""

import smtplib
from email.message import EmailMessage
from urllib.parse import urlparse

import pytest

from harness import Mailbox, unique_suffix


@pytest.fixture(scope="module")
def sample_store(stack):
    """A store with the demo catalog, made with `storefleet provision` and removed afterwards."""
    slug = "smoke-" + unique_suffix()
    name = "Smoke Shop %s" % slug[-4:].upper()
    stack.storefleet("provision", "--slug", slug, "--name", name, "--sample-data", "--sample-count", "8")
    yield slug, name
    stack.storefleet("deprovision", "--slug", slug)


def test_landing_page_leads_to_sign_up(browser, stack):
    browser.open(stack.platform_url + "/")
    assert "Storefleet" in browser.driver.title
    assert browser.find("h1").text.strip(), "the landing page has no headline"
    browser.check_page("landing", status=200)

    sign_up = browser.find("a[href$='/signup']")
    assert sign_up.is_displayed()
    assert sign_up.get_attribute("href") == stack.platform_url + "/signup"


def test_storefront_shows_the_store_and_its_products(browser, stack, sample_store):
    slug, name = sample_store
    browser.open(stack.store_url(slug) + "/")
    assert name in browser.text(), "the storefront does not show the store's name %r" % name
    browser.check_page("storefront-home", status=200)
    assert browser.find_all("a[href*='/products/']"), "the storefront home lists no products"


def test_storefront_product_page(browser, stack, sample_store):
    slug, _ = sample_store
    browser.open(stack.store_url(slug) + "/")
    browser.click_and_wait(browser.find("a[href*='/products/']"))
    assert "/products/" in browser.url
    assert browser.find("h1").text.strip(), "the product page has no headline"
    browser.check_page("product", status=200)


def test_unknown_store_is_a_clear_not_found_page(browser, stack):
    browser.open(stack.store_url("no-such-store-" + unique_suffix()) + "/")
    browser.check_page("unknown-store", status=404)
    assert "404" in browser.text() or "not found" in browser.text().lower()


def test_caught_mail_is_readable_on_dev_mail(browser, stack):
    """The stack's SMTP catcher and the app's /dev/mail read the same folder."""
    run = unique_suffix()
    subject = "Smoke mail %s" % run
    message = EmailMessage()
    message["From"] = "Storefleet <no-reply@storefleet.localhost>"
    message["To"] = "smoke+%s@example.test" % run
    message["Subject"] = subject
    message.set_content("Hello.\nOpen %s/stores to continue.\n" % stack.platform_url)
    smtp = urlparse(stack.require("STOREFLEET_SMTP_URL"))
    with smtplib.SMTP(smtp.hostname, smtp.port, timeout=10) as client:
        client.send_message(message)
    Mailbox(stack).wait_for(message["To"])

    browser.open(stack.platform_url + "/dev/mail")  # 404 when STOREFLEET_DEV_MAIL is not 1
    browser.check_page("dev-mail", status=200)
    links = [a for a in browser.find_all("a[href*='/dev/mail/']") if subject in a.text]
    assert links, "/dev/mail does not list the mail %r" % subject
    browser.click_and_wait(links[0])
    assert subject in browser.text()
    assert browser.find_all("a[href='%s/stores']" % stack.platform_url), "the mail's link is not clickable"
    browser.check_page("dev-mail-message", status=200)
