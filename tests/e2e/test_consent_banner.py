"""The consent manager in a real Chromium: banner, dialog, keyboard, no JavaScript, GPC, outages."""

import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from consent.models import ConsentRecord, PolicyRevision
from consent.visitor import cookie
from consent.visitor.cookie import cookie_name
from tests.consent.factories import consent_cookie_value
from tests.e2e.helpers import consent_cookie, wait_for_records, wait_in, wait_until

BUTTONS = ["Tout accepter", "Tout refuser", "Personnaliser"]


def banner(page):
    return page.locator("#cc-banner")


def test_first_visit_shows_three_equal_buttons_and_sets_no_cookie(site):
    site.goto("/")
    expect(banner(site)).to_be_visible()
    boxes, styles = [], []
    for name in BUTTONS:
        button = banner(site).get_by_role("button", name=name, exact=True)
        expect(button).to_be_visible()
        boxes.append(button.bounding_box())
        styles.append(
            button.evaluate(
                "b => [b.tagName, getComputedStyle(b).backgroundColor, getComputedStyle(b).color,"
                " getComputedStyle(b).fontSize, getComputedStyle(b).fontWeight]"
            )
        )
    assert len({(round(b["width"]), round(b["height"])) for b in boxes}) == 1, boxes
    assert len({tuple(s) for s in styles}) == 1, styles
    expect(banner(site).get_by_role("button", name="Continuer sans accepter")).to_be_visible()
    assert site.context.cookies() == []
    assert banner(site).get_by_role("link", name="En savoir plus").get_attribute("href") == "/cookies/"


def test_the_page_runs_the_minified_script(site):
    site.goto("/")
    expect(banner(site)).to_be_visible()  # shown by consent.js (state.css does it only without JavaScript)
    src = site.locator("script[src*='/js/consent.']").get_attribute("src")
    assert re.fullmatch(r"/static/js/consent\.[0-9a-f]{12}\.js", src)
    served = site.request.get(src).body()
    assert b"/*" not in served and len(served) < len((Path(settings.BASE_DIR) / "static/js/consent.js").read_bytes())


def test_the_browser_reports_nothing_wrong_with_the_page(site):
    # An unknown feature in Permissions-Policy, a blocked script or a failed request all log an error.
    errors = []
    site.on("console", lambda message: errors.append(message.text) if message.type in ("error", "warning") else None)
    site.goto("/")
    expect(banner(site)).to_be_visible()
    banner(site).get_by_role("button", name="Tout accepter", exact=True).click()
    wait_for_records(1)
    assert errors == [], errors


@pytest.mark.parametrize(
    ("button", "action", "granted"),
    [("Tout refuser", "reject_all", "000"), ("Tout accepter", "accept_all", "111")],
)
def test_a_choice_is_stored_and_remembered(site, button, action, granted):
    site.goto("/")
    banner(site).get_by_role("button", name=button, exact=True).click()
    expect(banner(site)).to_be_hidden()
    (record,) = wait_for_records(1)
    assert record.action == action and record.source == "banner"
    # The record is committed before the browser has stored the answer's cookie: wait for it.
    wait_in(site, lambda: consent_cookie(site), what="the consent cookie")
    value = consent_cookie(site)
    assert value.split(":")[0].split(".")[1] == granted
    assert cookie.loads(value).consent_id == record.consent_id
    site.reload()
    site.wait_for_load_state("load")
    expect(banner(site)).to_be_hidden()
    assert ConsentRecord.objects.count() == 1


def test_continue_without_accepting_is_a_refusal(site):
    site.goto("/tarifs/")
    banner(site).get_by_role("button", name="Continuer sans accepter").click()
    (record,) = wait_for_records(1)
    assert record.action == "close" and not record.statistics and record.page_path == "/tarifs/"
    expect(banner(site)).to_be_hidden()


def test_escape_is_a_refusal(site):
    site.goto("/")
    expect(banner(site)).to_be_visible()
    site.keyboard.press("Escape")
    (record,) = wait_for_records(1)
    assert record.action == "close"


def test_scrolling_and_browsing_are_not_consent(site):
    site.goto("/")
    site.mouse.wheel(0, 2000)
    site.get_by_role("link", name="Tarifs").first.click()
    site.wait_for_url(re.compile("/tarifs/"))
    expect(banner(site)).to_be_visible()
    assert ConsentRecord.objects.count() == 0 and site.context.cookies() == []


@pytest.mark.parametrize("path", ["/", "/fonctionnalites/", "/cookies/", "/mentions-legales/"])
def test_footer_link_reopens_the_dialog_with_the_stored_choice(site, path):
    site.goto(path)
    banner(site).get_by_role("button", name="Tout refuser", exact=True).click()
    wait_for_records(1)
    site.get_by_role("contentinfo").get_by_role("link", name="Paramètres des cookies").click()
    dialog = site.get_by_role("dialog", name="Paramètres des cookies")
    expect(dialog).to_be_visible()
    for name in ("preferences", "statistics", "advertising"):
        expect(dialog.locator(f"input[name={name}]")).not_to_be_checked()
    dialog.get_by_role("switch", name=re.compile("Statistiques")).check()
    dialog.get_by_role("button", name="Enregistrer mes choix").click()
    expect(dialog).to_be_hidden()
    first, second = wait_for_records(2)
    assert second.action == "custom" and second.statistics and not second.advertising
    assert second.source == "settings" and second.consent_id == first.consent_id
    site.get_by_role("contentinfo").get_by_role("link", name="Paramètres des cookies").click()
    expect(dialog.locator("input[name=statistics]")).to_be_checked()
    expect(dialog.locator("[data-cc-id]")).to_have_text(str(second.consent_id))
    expect(dialog.locator("[data-cc-date]")).not_to_have_text("—")


def test_customise_opens_the_dialog_with_everything_off(site):
    site.goto("/")
    banner(site).get_by_role("button", name="Personnaliser").click()
    dialog = site.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("Toujours actifs")).to_be_visible()
    for name in ("preferences", "statistics", "advertising"):
        expect(dialog.locator(f"input[name={name}]")).not_to_be_checked()
    expect(dialog.get_by_text("_ga_*").first).to_be_attached()
    dialog.get_by_role("switch", name=re.compile("Publicité")).check()
    dialog.get_by_role("button", name="Enregistrer mes choix").click()
    (record,) = wait_for_records(1)
    assert record.action == "custom" and record.advertising and not record.statistics
    assert record.source == "banner"


def test_escape_in_the_dialog_before_any_choice_is_a_refusal(site):
    site.goto("/")
    banner(site).get_by_role("button", name="Personnaliser").click()
    expect(site.get_by_role("dialog")).to_be_visible()
    site.keyboard.press("Escape")
    (record,) = wait_for_records(1)
    assert record.action == "close"
    expect(site.get_by_role("dialog")).to_be_hidden()


def _tab_to(page, test: str, limit: int = 60) -> None:
    """Press Tab until the focused element satisfies the JS predicate ``test`` (on ``e``)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(e => {test})(document.activeElement)"):
            return
    raise AssertionError(f"no focusable element matched {test!r}")


def test_keyboard_only(site):
    site.goto("/")
    _tab_to(site, "e.textContent.trim() === 'Tout refuser'")
    site.keyboard.press("Enter")
    wait_for_records(1)
    _tab_to(site, "e.textContent.trim() === 'Paramètres des cookies'")
    site.keyboard.press("Enter")
    dialog = site.get_by_role("dialog")
    expect(dialog).to_be_visible()
    for _ in range(30):  # the focus stays in the dialog
        site.keyboard.press("Tab")
        assert site.evaluate("document.getElementById('cc-modal').contains(document.activeElement)")
    _tab_to(site, "e.name === 'statistics'")
    site.keyboard.press("Space")
    _tab_to(site, "e.value === 'save'")
    assert site.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"  # visible focus
    site.keyboard.press("Enter")
    _, record = wait_for_records(2)
    assert record.action == "custom" and record.statistics
    expect(dialog).to_be_hidden()
    assert site.evaluate("document.activeElement.textContent.trim()") == "Paramètres des cookies"


def test_without_javascript(browser, live_server, transactional_db):
    from consent.demo import load_demo

    load_demo()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/cookies/")
    expect(banner(page)).to_be_visible()
    with page.expect_navigation(url=re.compile("/cookies/$")):  # POST, then 303 back
        banner(page).get_by_role("button", name="Tout refuser", exact=True).click()
    (record,) = wait_for_records(1)
    assert record.action == "reject_all" and record.source == "nojs"
    expect(banner(page)).to_be_hidden()
    with page.expect_navigation(url=re.compile("/consent/parametres/")):
        page.get_by_role("contentinfo").get_by_role("link", name="Paramètres des cookies").click()
    page.locator("main input[name=statistics]").check()
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Enregistrer mes choix").click()
    _, custom = wait_for_records(2)
    assert custom.action == "custom" and custom.statistics and custom.consent_id == record.consent_id
    page.goto("/consent/parametres/")
    expect(page.locator("main input[name=statistics]")).to_be_checked()
    expect(page.locator("main [data-cc-id]")).to_have_text(str(record.consent_id))
    context.close()


def test_english_pages_speak_english(site):
    site.goto("/en/")
    for name in ("Accept all", "Reject all", "Customise"):
        expect(banner(site).get_by_role("button", name=name, exact=True)).to_be_visible()
    banner(site).get_by_role("button", name="Reject all", exact=True).click()
    (record,) = wait_for_records(1)
    assert record.language == "en"
    site.get_by_role("contentinfo").get_by_role("link", name="Cookie settings").click()
    expect(site.get_by_role("dialog", name="Cookie settings")).to_be_visible()


@pytest.mark.parametrize("with_dialog", [False, True], ids=["banner", "dialog"])
def test_axe_finds_no_violation(site, with_dialog):
    from axe_playwright_python.sync_playwright import Axe

    site.goto("/")
    expect(banner(site)).to_be_visible()
    if with_dialog:
        banner(site).get_by_role("button", name="Personnaliser").click()
        expect(site.get_by_role("dialog")).to_be_visible()
    results = Axe().run(site)
    assert results.violations_count == 0, results.generate_report()


def test_a_new_revision_brings_the_banner_back(site):
    site.goto("/")
    banner(site).get_by_role("button", name="Tout accepter").click()
    wait_for_records(1)
    PolicyRevision.objects.create(number=2, note="nouveau traceur LinkedIn", banner_hash="x" * 64)
    site.reload()
    expect(banner(site)).to_be_visible()
    banner(site).get_by_role("button", name="Tout refuser", exact=True).click()
    _, record = wait_for_records(2)
    assert record.policy_revision == 2


def test_an_expired_choice_brings_the_banner_back(site, live_server):
    old = consent_cookie_value(preferences=True, statistics=True, advertising=True, age=190 * 24 * 3600)
    site.context.add_cookies([{"name": cookie_name(), "value": old, "url": live_server.url}])
    site.goto("/")
    expect(banner(site)).to_be_visible()


def test_global_privacy_control_keeps_advertising_off(browser, live_server, transactional_db):
    from consent.demo import load_demo

    load_demo()
    context = browser.new_context(base_url=live_server.url, extra_http_headers={"Sec-GPC": "1"})
    context.add_init_script("Object.defineProperty(navigator, 'globalPrivacyControl', {get: () => true})")
    page = context.new_page()
    page.goto("/")
    banner(page).get_by_role("button", name="Personnaliser").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("Global Privacy Control")).to_be_visible()
    dialog.get_by_role("button", name="Tout accepter").click()
    (record,) = wait_for_records(1)
    assert record.gpc and not record.advertising and record.statistics
    context.close()


def test_a_choice_made_while_the_database_is_down_reaches_the_log_later(site, postgres):
    site.goto("/")
    expect(banner(site)).to_be_visible()
    postgres.stop()
    before = time.time()
    with site.expect_response(lambda r: r.url.endswith("/consent/")) as answer:
        banner(site).get_by_role("button", name="Tout accepter").click()
    assert answer.value.status == 503
    expect(banner(site)).to_be_hidden()
    assert consent_cookie(site) is not None  # the choice applies at once
    assert site.evaluate("localStorage.getItem('cc-pending')") is not None
    postgres.start()
    site.goto("/tarifs/")  # the next page sends the withheld record
    (record,) = wait_for_records(1)
    assert record.action == "accept_all" and abs(record.decided_at.timestamp() - before) < 5
    wait_until(site, "localStorage.getItem('cc-pending') === null")
    site.goto("/")
    time.sleep(0.3)
    assert ConsentRecord.objects.count() == 1


def test_the_banner_causes_no_layout_shift(site):
    site.add_init_script(
        "window.__shift = 0; new PerformanceObserver(l => l.getEntries().forEach(e => window.__shift += e.value))"
        ".observe({type: 'layout-shift', buffered: true});"
    )
    site.goto("/")
    expect(banner(site)).to_be_visible()
    site.wait_for_timeout(500)
    assert site.evaluate("window.__shift") == 0
    banner(site).get_by_role("button", name="Tout refuser", exact=True).click()
    expect(banner(site)).to_be_hidden()
    site.wait_for_timeout(300)
    assert site.evaluate("window.__shift") == 0


def test_a_decision_the_server_holds_with_other_choices_is_replaced_by_the_record(site):
    """Another tab (or a tampered localStorage) re-sends a stored decision_id with other choices: the
    server answers 409 with the recorded choices and their cookie, and the page applies those."""
    site.goto("/")
    banner(site).get_by_role("button", name="Tout accepter").click()
    (record,) = wait_for_records(1)
    wait_until(site, "localStorage.getItem('cc-pending') === null")
    site.context.clear_cookies()
    site.evaluate(
        """id => {
            const config = JSON.parse(document.getElementById('cc-config').textContent);
            const refused = {preferences: false, statistics: false, advertising: false};
            localStorage.setItem('cc-pending', JSON.stringify({c: refused, b: {
                action: 'reject_all', source: 'banner', decision_id: id, decided_at: Date.now(),
                revision: config.rev, banner: config.banner, gpc: false, path: '/', choices: refused}}));
        }""",
        str(record.decision_id),
    )
    with site.expect_response(lambda r: r.url.endswith("/consent/")) as answer:
        site.reload()
    assert answer.value.status == 409
    wait_until(site, "localStorage.getItem('cc-pending') === null")
    wait_until(
        site,
        "(window.dataLayer || []).filter(e => e.event === 'consent_update').pop()?.consent.analytics_storage"
        " === 'granted'",
    )
    state = cookie.loads(consent_cookie(site) or "")
    assert state is not None and state.choices == {"preferences": True, "statistics": True, "advertising": True}
    assert ConsentRecord.objects.get().action == "accept_all"
