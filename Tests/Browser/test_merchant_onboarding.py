"""A new merchant, start to finish, as a person in a browser: sign up, verify the e-mail address
from the caught mail, create a store through every wizard step, watch it being set up until the
admin dashboard opens, then visit the new storefront.

URLs and field names: docs/CONTRACTS.md, "Platform web: accounts, wizard and admin (issue 5)".
"""

from urllib.parse import urlparse

from selenium.webdriver.support.ui import Select

from harness import Mailbox, unique_suffix

PASSWORD = "correct horse battery staple 42"
# Mail and provisioning run as jobs: on a busy stack (a debug build on two shared cores, a
# backlog after a restart) they can take a while. The waits end as soon as the thing happened.
SETUP_SECONDS = 90
MAIL_SECONDS = 90


def choose(select_element, *preferred_values):
    """Picks the first of `preferred_values` the list offers; keeps the preselected option else."""
    menu = Select(select_element)
    offered = [option.get_attribute("value") for option in menu.options]
    for value in preferred_values:
        if value in offered:  # an option's value is its text when it has no value attribute
            menu.select_by_index(offered.index(value))
            return value
    return menu.first_selected_option.get_attribute("value")


def test_merchant_signs_up_verifies_creates_a_store_and_sees_it_live(browser, stack):
    run = unique_suffix()
    person = "Ada Onboarding"
    address = "ada+%s@example.test" % run
    store_name = "Ada's Atelier %s" % run[-4:].upper()
    subdomain = "ada-%s" % run
    product_title = "Hand-thrown Bowl"

    # Sign up.
    browser.open(stack.platform_url + "/signup")
    browser.check_page("signup", status=200)
    browser.type_into(browser.find("input[name=name]"), person)
    browser.type_into(browser.find("input[name=email]"), address)
    password = browser.type_into(browser.find("input[name=password]"), PASSWORD)
    browser.click_and_wait(browser.submit_button(password))
    assert browser.page_status() == 200, "sign-up answered %s:\n%s" % (browser.page_status(), browser.text())
    assert urlparse(browser.url).path != "/signup", "sign-up did not go through:\n" + browser.text()
    browser.check_page("signed-up", status=200)

    # Verify the address with the link from the mail.
    mail = Mailbox(stack).wait_for(address, seconds=MAIL_SECONDS)[-1]
    links = [link for link in Mailbox.links(mail) if "/verify-email/" in link]
    assert links, "the mail to %s has no /verify-email/ link:\n%s" % (address, Mailbox.text(mail))
    assert links[0].startswith(stack.platform_url + "/"), \
        "the verification link %s does not point at the platform (%s)" % (links[0], stack.platform_url)
    browser.open(links[0])
    browser.check_page("email-verified", status=200)

    # The wizard, step by step.
    start = browser.find_all("a[href$='/stores/new']")
    if start and start[0].is_displayed():
        browser.click_and_wait(start[0])
    else:
        browser.open(stack.platform_url + "/stores/new")
    if "/login" in browser.url:  # signing up or verifying did not keep the merchant signed in
        browser.check_page("login", status=200)
        browser.type_into(browser.find("input[name=email]"), address)
        password = browser.type_into(browser.find("input[name=password]"), PASSWORD)
        browser.click_and_wait(browser.submit_button(password))
    assert "/stores/new" in browser.url, "expected the wizard, got %s" % browser.url
    browser.check_page("wizard-store", status=200)
    browser.type_into(browser.find("input[name=name]"), store_name)
    subdomain_field = browser.type_into(browser.find("input[name=subdomain]"), subdomain)
    browser.click_and_wait(browser.submit_button(subdomain_field))

    assert browser.url.endswith("/stores/new/template"), "the store step did not advance:\n" + browser.text()
    browser.check_page("wizard-template", status=200)
    looks = [radio for radio in browser.find_all("input[name=template]")]
    assert looks, "the template step offers no look to choose"
    chosen = looks[1] if len(looks) > 1 else looks[0]
    label = browser.driver.execute_script("return arguments[0].labels[0] || null", chosen)
    (label or chosen).click()
    assert chosen.is_selected(), "clicking the look's label did not choose it"
    browser.click_and_wait(browser.submit_button(chosen))

    assert browser.url.endswith("/stores/new/locale"), "the template step did not advance:\n" + browser.text()
    browser.check_page("wizard-locale", status=200)
    choose(browser.find("select[name=country]"), "DE")
    choose(browser.find("select[name=currency]"), "EUR")
    choose(browser.find("select[name=timezone]"), "Europe/Berlin")
    language = browser.find("select[name=language]")
    choose(language, "en")
    browser.click_and_wait(browser.submit_button(language))

    assert browser.url.endswith("/stores/new/product"), "the locale step did not advance:\n" + browser.text()
    browser.check_page("wizard-product", status=200)
    browser.type_into(browser.find("input[name=product_title]"), product_title)
    price = browser.type_into(browser.find("input[name=product_price]"), "34.50")
    browser.click_and_wait(browser.submit_button(price))

    assert browser.url.endswith("/stores/new/review"), "the product step did not advance:\n" + browser.text()
    review = browser.text()
    for shown in (store_name, subdomain, product_title):
        assert shown in review, "the review does not show %r" % shown
    browser.check_page("wizard-review", status=200)
    create = browser.find_all("form[action$='/stores/new/review'] button:not([type=button]), "
                              "form[action$='/stores/new/review'] input[type=submit]")
    assert create, "the review step has no button that posts to /stores/new/review"
    browser.click_and_wait(create[0])

    # The progress page moves on to the dashboard by itself once the store is ready.
    assert "/store/%s/" % subdomain in browser.url, "creating the store led to %s" % browser.url
    if "/setup" in browser.url:  # it may already be done, and move on while being looked at
        browser.check_page("setup-progress", status=200, may_leave=True)
    dashboard = "/store/%s/admin" % subdomain
    browser.wait_for(
        lambda driver: driver.current_url.split("?")[0].endswith(dashboard)
        and driver.execute_script("return document.readyState") == "complete",
        seconds=SETUP_SECONDS,
        message="the progress page did not reach %s within %ds (last page: %s)" % (dashboard, SETUP_SECONDS, browser.url),
    )
    assert store_name in browser.text(), "the dashboard does not name the store %r" % store_name
    browser.check_page("admin-dashboard", status=200)

    # The storefront is live at the chosen subdomain.
    browser.open(stack.store_url(subdomain) + "/")
    # innerText applies CSS text-transform (the Mono theme sets titles in capitals): compare
    # without case.
    storefront = browser.text().casefold()
    assert store_name.casefold() in storefront, "the storefront does not show the store's name %r" % store_name
    assert product_title.casefold() in storefront, "the storefront does not show the first product %r" % product_title
    browser.check_page("storefront", status=200)
