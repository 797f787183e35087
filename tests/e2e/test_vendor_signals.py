"""Vendors' own consent signals and withdrawal, with stub vendor scripts that behave like the real ones:
Clarity queues its calls and keeps a beacon interval and rewrites _clck on a timer; the Meta Pixel's
loader keeps _fbp alive. The tags are added from the catalog, as a marketer does."""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlsplit

import pytest

from consent.catalog import CATALOG
from consent.catalog.services import add_from_catalog
from tests.servers import ROOT

# What Clarity's tag does, in small: it takes over the queue the snippet made, records each call,
# writes its cookie again every 300 ms and sends a beacon every 300 ms.
CLARITY = """
(function () {
  var queued = (window.clarity && window.clarity.q) || [];
  window.__calls = window.__calls || [];
  window.clarity = function () { window.__calls.push(["clarity"].concat([].slice.call(arguments))); };
  queued.forEach(function (args) { window.clarity.apply(null, args); });
  setInterval(function () {
    document.cookie = "_clck=abc|2|fq; Max-Age=31536000; Path=/";
    fetch("https://www.clarity.ms/collect", { method: "POST", mode: "no-cors", body: "beacon" });
  }, 300);
})();
"""
# What fbevents.js does, in small: it takes the queue, answers calls, keeps _fbp alive.
META = """
(function () {
  window.__calls = window.__calls || [];
  var fbq = window.fbq;
  fbq.callMethod = function () { window.__calls.push(["fbq"].concat([].slice.call(arguments))); };
  (fbq.queue || []).forEach(function (args) { fbq.callMethod.apply(null, args); });
  setInterval(function () {
    document.cookie = "_fbp=fb.1.123.456; Max-Age=7776000; Path=/";
    fetch("https://www.facebook.com/tr?id=1234567890123456", { mode: "no-cors" });
  }, 300);
})();
"""
STUBS = {"www.clarity.ms": CLARITY, "connect.facebook.net": META}
VENDOR_HOSTS = ("clarity.ms", "facebook.com", "facebook.net")


@pytest.fixture
def vendors(site, live_server):
    for slug in ("microsoft-clarity", "meta-pixel"):
        vendor = CATALOG[slug]
        add_from_catalog(vendor=vendor, values={p.marker: p.example for p in vendor.placeholders})
    return live_server


def stub_vendors(page) -> list[str]:
    """Answers the vendors' hosts with the stubs; returns the list of every request made to them."""
    seen: list[str] = []

    def answer(route) -> None:
        seen.append(route.request.url)
        body = STUBS.get(urlsplit(route.request.url).hostname or "", "")
        route.fulfill(status=200, body=body, content_type="application/javascript")

    page.route(re.compile(r"^https://([a-z0-9-]+\.)*(clarity\.ms|facebook\.com|facebook\.net)/"), answer)
    return seen


def calls(page) -> list[list]:
    """The calls the stub vendors received, then those still queued for a tag that has not run."""
    return page.evaluate(
        "(window.__calls || []).concat(((window.clarity && window.clarity.q) || [])"
        ".map((args) => ['clarity'].concat(Array.from(args))))"
    )


def clarity_consent(page) -> list[dict]:
    return [c[2] for c in calls(page) if c[:2] == ["clarity", "consentv2"]]


def vendor_cookies(page) -> set[str]:
    return {c["name"] for c in page.context.cookies()} & {"_clck", "_fbp"}


def banner_button(page, name: str):
    return page.locator("#cc-banner").get_by_role("button", name=name, exact=True)


def test_accept_all_grants_clarity_and_the_meta_pixel_by_their_own_signals(site, vendors):
    seen = stub_vendors(site)
    site.goto("/")
    assert site.evaluate("JSON.parse(document.getElementById('cc-signals').textContent)") == [
        ["meta-pixel", "advertising"],
        ["microsoft-clarity", "statistics"],
    ]
    assert clarity_consent(site) == [{"ad_Storage": "denied", "analytics_Storage": "denied"}]
    assert seen == []
    banner_button(site, "Tout accepter").click()
    site.wait_for_function("() => (window.__calls || []).some(c => c[0] === 'clarity')")
    consent = clarity_consent(site)
    assert consent[0] == {"ad_Storage": "denied", "analytics_Storage": "denied"}  # before the tag ran
    assert consent[-1] == {"ad_Storage": "granted", "analytics_Storage": "granted"}
    site.wait_for_timeout(700)
    assert vendor_cookies(site) == {"_clck", "_fbp"}


def test_refusing_sends_denied_and_no_vendor_script_is_fetched(site, vendors):
    seen = stub_vendors(site)
    site.goto("/")
    banner_button(site, "Tout refuser").click()
    site.wait_for_timeout(1000)
    assert clarity_consent(site)[-1] == {"ad_Storage": "denied", "analytics_Storage": "denied"}
    assert seen == [] and vendor_cookies(site) == set()


def test_with_global_privacy_control_clarity_measures_but_advertising_stays_off(browser, vendors):
    context = browser.new_context(base_url=vendors.url, extra_http_headers={"Sec-GPC": "1"})
    context.add_init_script("Object.defineProperty(navigator, 'globalPrivacyControl', {get: () => true})")
    context.route(re.compile(f"^(?!{re.escape(vendors.url)}/)"), lambda route: route.abort())
    page = context.new_page()
    seen = stub_vendors(page)
    page.goto("/")
    banner_button(page, "Tout accepter").click()
    page.wait_for_function("() => (window.__calls || []).some(c => c[0] === 'clarity')")
    assert clarity_consent(page)[-1] == {"ad_Storage": "denied", "analytics_Storage": "granted"}
    assert not [url for url in seen if "facebook" in url]
    context.close()


def test_a_withdrawal_tells_the_vendors_and_then_nothing_of_theirs_for_ten_seconds(site, vendors):
    seen = stub_vendors(site)
    site.goto("/")
    banner_button(site, "Tout accepter").click()
    site.wait_for_function("() => (window.__calls || []).filter(c => c[0] === 'fbq').length > 0")
    site.wait_for_timeout(700)
    assert vendor_cookies(site) == {"_clck", "_fbp"}

    site.get_by_role("contentinfo").get_by_role("link", name="Paramètres des cookies").click()
    dialog = site.get_by_role("dialog", name="Paramètres des cookies")
    dialog.get_by_role("switch", name=re.compile("Statistiques")).uncheck()
    dialog.get_by_role("switch", name=re.compile("Publicité")).uncheck()
    told: list[str] = []
    site.on("console", lambda message: told.append(message.text))
    # After the vendors' signals have heard the withdrawal, the calls they made so far.
    site.evaluate("document.addEventListener('cc:consent', () => console.log(JSON.stringify(window.__calls)))")
    with site.expect_navigation():  # scripts that run cannot be stopped: the page reloads once sent
        dialog.get_by_role("button", name="Enregistrer mes choix").click()
    heard = json.loads(told[-1])
    assert ["clarity", "consentv2", {"ad_Storage": "denied", "analytics_Storage": "denied"}] in heard[-2:]
    assert ["fbq", "consent", "revoke"] in heard[-2:]
    seen.clear()
    started = time.monotonic()
    while time.monotonic() - started < 10:
        site.wait_for_timeout(500)
        assert vendor_cookies(site) == set(), "a vendor cookie came back"
    assert seen == [], seen


SIGNALS_JS = (ROOT / "static" / "js" / "vendor-signals.js").read_text()
ALL_SIGNALS = [
    ["microsoft-uet", "advertising"],
    ["microsoft-clarity", "statistics"],
    ["meta-pixel", "advertising"],
    ["tiktok", "advertising"],
    ["hubspot", "advertising"],
    ["matomo", "statistics"],
    ["intercom", "preferences"],
]
# Stand-ins for the objects the vendors' loaders make, recording every call.
RECORDERS = """
window.log = [];
window.fbq = function () { log.push(["fbq"].concat([].slice.call(arguments))); };
window.ttq = {
  grantConsent: function () { log.push(["ttq", "grantConsent"]); },
  revokeConsent: function () { log.push(["ttq", "revokeConsent"]); },
};
window.Intercom = function () { log.push(["Intercom"].concat([].slice.call(arguments))); };
"""
EVERYTHING = {"preferences": True, "statistics": True, "advertising": True}
NOTHING = {"preferences": False, "statistics": False, "advertising": False}
GPC = {"preferences": True, "statistics": True, "advertising": False}  # "accept all" under GPC


def heard(browser, *states: dict) -> dict:
    """What each vendor received on a fresh page: the defaults, then one consent event per state."""
    page = browser.new_page()
    page.set_content(
        f'<script id="cc-signals" type="application/json">{json.dumps(ALL_SIGNALS)}</script>'
        f"<script>{RECORDERS}</script><script>{SIGNALS_JS}</script>"
    )
    for state in states:
        page.evaluate("(state) => document.dispatchEvent(new CustomEvent('cc:consent', {detail: state}))", state)
    got = page.evaluate(
        """() => ({
          uet: window.uetq,
          clarity: window.clarity.q.map((args) => Array.from(args)),
          paq: window._paq,
          hsp: window._hsp || [],
          log: window.log,
        })"""
    )
    page.close()
    return got


def test_the_defaults_go_out_before_any_choice(browser):
    got = heard(browser)
    assert got["uet"] == ["consent", "default", {"ad_storage": "denied"}]
    assert got["clarity"] == [["consentv2", {"ad_Storage": "denied", "analytics_Storage": "denied"}]]
    assert got["paq"] == [["requireConsent"]]
    assert got["log"] == [] and got["hsp"] == []


def test_every_signal_on_grant_refusal_gpc_and_withdrawal(browser):
    granted = heard(browser, EVERYTHING)
    assert granted["uet"][-3:] == ["consent", "update", {"ad_storage": "granted"}]
    assert granted["clarity"][-1] == ["consentv2", {"ad_Storage": "granted", "analytics_Storage": "granted"}]
    assert granted["paq"][-1] == ["setConsentGiven"]
    assert granted["log"] == [["fbq", "consent", "grant"], ["ttq", "grantConsent"]]
    assert granted["hsp"] == []

    refused = heard(browser, NOTHING)
    assert refused["uet"][-3:] == ["consent", "update", {"ad_storage": "denied"}]
    assert refused["clarity"][-1] == ["consentv2", {"ad_Storage": "denied", "analytics_Storage": "denied"}]
    assert refused["paq"][-1] == ["forgetConsentGiven"]
    assert refused["log"] == [["fbq", "consent", "revoke"], ["ttq", "revokeConsent"], ["Intercom", "shutdown"]]
    assert refused["hsp"] == [["revokeCookieConsent"]]

    gpc = heard(browser, GPC)
    assert gpc["uet"][-3:] == ["consent", "update", {"ad_storage": "denied"}]
    assert gpc["clarity"][-1] == ["consentv2", {"ad_Storage": "denied", "analytics_Storage": "granted"}]
    assert gpc["paq"][-1] == ["setConsentGiven"]
    assert gpc["log"] == [["fbq", "consent", "revoke"], ["ttq", "revokeConsent"]]

    withdrawn = heard(browser, EVERYTHING, NOTHING)
    assert withdrawn["log"][-3:] == [["fbq", "consent", "revoke"], ["ttq", "revokeConsent"], ["Intercom", "shutdown"]]
    assert withdrawn["hsp"] == [["revokeCookieConsent"]]
    assert withdrawn["paq"][-2:] == [["setConsentGiven"], ["forgetConsentGiven"]]
