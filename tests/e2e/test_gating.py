"""Script gating in a real Chromium: nothing runs or reaches a third party before consent."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import CSP_LISTENER, allow_hosts, wait_for_records, wait_until
from tests.servers import wait_for

STUBS = {
    "prefs.js": "window.__prefs = (window.__prefs || 0) + 1;",
    "stats1.js": (
        'window.__order.push("s1"); window.__stats = (window.__stats || 0) + 1;'
        'document.cookie = "_ga=GA1.1.42; path=/"; document.cookie = "_ga_TEST99=GS1.1.1; path=/";'
    ),
    "stats2.js": 'window.__order.push("s2");',
    "ads.js": 'window.__ads = (window.__ads || 0) + 1; document.cookie = "_fbp=fb.1.1; path=/";',
}
GTM = 'window.__gtm = (window.__gtm || 0) + 1; dataLayer.push({event: "gtm.stub"});'


@pytest.fixture
def gated(site, settings, live_server):
    """The gating page with GTM configured; third parties answered by local stubs."""
    settings.ROOT_URLCONF = "tests.e2e.gating_urls"
    settings.GTM_CONTAINER_ID = "GTM-TEST123"
    allow_hosts(settings, frame_src="https://stub.example", script_src="https://stub.example")
    site.requests = []
    site.on("request", lambda r: site.requests.append(r.url))

    def stub(route):
        name = route.request.url.rsplit("/", 1)[1]
        if name == "embed":
            return route.fulfill(body="<p>video player</p>", content_type="text/html; charset=utf-8")
        if name.endswith(".png"):
            return route.fulfill(body=b"", content_type="image/png")
        route.fulfill(body=STUBS[name], content_type="application/javascript")

    site.route("https://stub.example/**", stub)
    site.route(
        "https://www.googletagmanager.com/gtm.js*",
        lambda route: route.fulfill(body=GTM, content_type="application/javascript"),
    )
    site.add_init_script(CSP_LISTENER)
    return site


def third_parties(page, live_server) -> set[str]:
    return {re.sub(r"\?.*", "", u) for u in page.requests if not u.startswith(live_server.url)}


def cookie_names(page) -> set[str]:
    return {c["name"] for c in page.context.cookies()}


def datalayer(page) -> list:
    # gtag() pushes an Arguments object; it serialises as {"0": ..., "1": ...}.
    return page.evaluate("dataLayer.map(e => (e.length !== undefined || e[0]) ? Array.from(e) : e)")


def index_of(entries: list, predicate) -> int:
    return next(i for i, e in enumerate(entries) if predicate(e))


def test_before_any_choice_nothing_gated_runs_not_even_gtm(gated, live_server):
    gated.goto("/gating/")
    expect(gated.locator("#cc-banner")).to_be_visible()
    gated.wait_for_load_state("networkidle")
    assert third_parties(gated, live_server) == set()
    assert gated.evaluate("[window.__prefs, window.__stats, window.__ads, window.__gtm]") == [None] * 4
    assert cookie_names(gated) == set()
    entries = datalayer(gated)
    default = index_of(entries, lambda e: isinstance(e, list) and e[:2] == ["consent", "default"])
    assert entries[default][2]["analytics_storage"] == "denied"
    assert not any(isinstance(e, dict) and e.get("event") == "gtm.js" for e in entries)
    assert gated.evaluate("window.__csp") == []


def test_granting_statistics_loads_gtm_without_reload_after_the_update(gated, live_server):
    gated.goto("/gating/")
    gated.evaluate("window.__sameDocument = true")
    gated.locator("#cc-banner").get_by_role("button", name="Personnaliser").click()
    gated.get_by_role("dialog").get_by_role("switch", name=re.compile("Statistiques")).check()
    gated.get_by_role("dialog").get_by_role("button", name="Enregistrer mes choix").click()
    wait_until(gated, "window.__gtm === 1")
    assert gated.evaluate("window.__sameDocument") is True
    entries = datalayer(gated)
    update = index_of(entries, lambda e: isinstance(e, list) and e[:2] == ["consent", "update"])
    start = index_of(entries, lambda e: isinstance(e, dict) and e.get("event") == "gtm.js")
    assert update < start
    assert entries[update][2]["analytics_storage"] == "granted" and entries[update][2]["ad_storage"] == "denied"
    assert gated.evaluate("window.__csp") == []


def test_advanced_mode_loads_gtm_at_once_with_everything_denied(gated, live_server, settings):
    settings.GTM_CONSENT_MODE = "advanced"
    gated.goto("/gating/")
    expect(gated.locator("#cc-banner")).to_be_visible()
    wait_until(gated, "window.__gtm === 1")
    assert third_parties(gated, live_server) == {"https://www.googletagmanager.com/gtm.js"}
    assert gated.evaluate("[window.__prefs, window.__stats, window.__ads]") == [None, None, None]
    entries = datalayer(gated)
    default = index_of(entries, lambda e: isinstance(e, list) and e[:2] == ["consent", "default"])
    start = index_of(entries, lambda e: isinstance(e, dict) and e.get("event") == "gtm.js")
    assert default < start
    assert entries[default][2]["analytics_storage"] == "denied"
    assert not any(isinstance(e, list) and e[:2] == ["consent", "update"] for e in entries)
    assert gated.evaluate("window.__csp") == []


def test_accept_all_runs_every_gated_script_once_without_reload(gated, live_server):
    gated.goto("/gating/")
    gated.evaluate("window.__sameDocument = true; document.cookie = 'mystery_widget=1; path=/'")
    gated.locator("#cc-banner").get_by_role("button", name="Tout accepter").click()
    wait_until(gated, "window.__order.length === 3 && window.__ads === 1 && window.__prefs === 1")
    assert gated.evaluate("window.__sameDocument") is True
    assert gated.evaluate("window.__order") == ["s1", "inline", "s2"]
    assert gated.evaluate("[window.__prefs, window.__stats, window.__ads]") == [1, 1, 1]
    entries = datalayer(gated)
    default = index_of(entries, lambda e: isinstance(e, list) and e[:2] == ["consent", "default"])
    update = index_of(entries, lambda e: isinstance(e, list) and e[:2] == ["consent", "update"])
    assert default < update
    assert set(entries[update][2].values()) == {"granted"} and len(entries[update][2]) == 7
    event = next(e for e in entries if isinstance(e, dict) and e.get("event") == "consent_update")
    assert event["consent"]["ad_user_data"] == "granted"
    # The placeholder became the frame; nothing ran twice.
    expect(gated.locator("iframe[title='Vidéo de démonstration']")).to_be_attached()
    gated.wait_for_timeout(300)
    assert gated.evaluate("[window.__prefs, window.__stats, window.__ads]") == [1, 1, 1]
    assert gated.evaluate("window.__csp") == []
    wait_for_records(1)
    # Cookie names that no declaration covers reach the admin.
    from consent.models import UndeclaredCookie

    wait_until(gated, "true")  # let the report request finish
    wait_for(lambda: UndeclaredCookie.objects.filter(name="mystery_widget").exists(), 5, what="mystery_widget reported")


def test_returning_visitor_gets_the_update_before_gtm_and_only_granted_scripts(gated, live_server):
    gated.goto("/gating/")
    gated.locator("#cc-banner").get_by_role("button", name="Personnaliser").click()
    gated.get_by_role("dialog").get_by_role("switch", name=re.compile("Statistiques")).check()
    gated.get_by_role("dialog").get_by_role("button", name="Enregistrer mes choix").click()
    wait_for_records(1)
    gated.goto("/fonctionnalites/")
    gated.goto("/gating/")
    wait_until(gated, "window.__gtm === 1 && window.__order.length === 3")
    entries = datalayer(gated)
    update = index_of(entries, lambda e: isinstance(e, list) and e[:2] == ["consent", "update"])
    start = index_of(entries, lambda e: isinstance(e, dict) and e.get("event") == "gtm.js")
    assert update < start
    assert entries[update][2]["analytics_storage"] == "granted"
    assert entries[update][2]["ad_storage"] == "denied"
    gated.wait_for_timeout(300)
    assert gated.evaluate("[window.__prefs, window.__stats, window.__ads]") == [None, 1, None]
    assert "https://stub.example/ads.js" not in third_parties(gated, live_server)
    assert gated.evaluate("window.__csp") == []


def test_withdrawing_statistics_deletes_its_cookies_and_stops_its_scripts(gated, live_server):
    gated.goto("/gating/")
    gated.locator("#cc-banner").get_by_role("button", name="Tout accepter").click()
    wait_until(gated, "window.__stats === 1 && window.__ads === 1")
    assert {"_ga", "_ga_TEST99", "_fbp"} <= cookie_names(gated)
    wait_for_records(1)
    gated.get_by_role("contentinfo").get_by_role("link", name="Paramètres des cookies").click()
    gated.get_by_role("dialog").get_by_role("switch", name=re.compile("Statistiques")).uncheck()
    with gated.expect_navigation():  # one reload, so that running scripts stop
        gated.get_by_role("dialog").get_by_role("button", name="Enregistrer mes choix").click()
    gated.wait_for_load_state("load")
    names = cookie_names(gated)
    assert "_ga" not in names and "_ga_TEST99" not in names
    assert "_fbp" in names  # advertising stays granted
    wait_until(gated, "window.__ads === 1")
    assert gated.evaluate("window.__stats") is None
    _, record = wait_for_records(2)
    assert record.action == "withdraw" and not record.statistics and record.advertising
    assert gated.evaluate("window.__csp") == []


def test_frame_placeholder_loads_only_after_its_button(gated, live_server):
    gated.goto("/gating/")
    placeholder = gated.locator(".cc-embed")
    expect(placeholder).to_contain_text("YouTube")
    expect(placeholder).to_contain_text("Publicité")
    assert "https://stub.example/embed" not in gated.requests
    placeholder.get_by_role("button").click()
    expect(gated.frame_locator("iframe[title='Vidéo de démonstration']").get_by_text("video player")).to_be_visible()
    assert "https://stub.example/embed" in gated.requests
    (record,) = wait_for_records(1)
    assert record.advertising and not record.statistics and record.action == "custom"
    assert gated.evaluate("window.__csp") == []


def test_a_script_without_an_allowed_hash_or_host_is_blocked(gated):
    gated.goto("/gating/")
    gated.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__evil = 1';"
        " document.body.append(s);"
        " const t = document.createElement('script'); t.src = 'https://evil.example/x.js';"
        " document.body.append(t); }"
    )
    wait_until(gated, "window.__csp.length > 1")
    assert gated.evaluate("window.__evil") is None
    violations = gated.evaluate("window.__csp")
    assert all(v.startswith("script-src") for v in violations)
    assert any("evil.example" in v for v in violations) and any(v.endswith(" inline") for v in violations)


def test_global_privacy_control_sent_only_as_a_header_keeps_advertising_off_on_the_page(gated, live_server):
    # Some browsers and extensions send Sec-GPC without exposing navigator.globalPrivacyControl:
    # the page cannot see the signal, so it follows the choices the server recorded.
    gated.set_extra_http_headers({"Sec-GPC": "1"})
    gated.goto("/gating/")
    assert not gated.evaluate("Boolean(navigator.globalPrivacyControl)")
    gated.locator("#cc-banner").get_by_role("button", name="Tout accepter").click()
    wait_until(gated, "window.__order.length === 3 && window.__prefs === 1")
    gated.wait_for_timeout(500)
    assert gated.evaluate("window.__ads") is None
    assert "https://stub.example/ads.js" not in third_parties(gated, live_server)
    (record,) = wait_for_records(1)
    assert record.gpc and record.statistics and not record.advertising
    update = [e for e in datalayer(gated) if isinstance(e, list) and e[:2] == ["consent", "update"]]
    assert update[-1][2]["ad_storage"] == "denied" and update[-1][2]["analytics_storage"] == "granted"
    assert gated.evaluate("window.__csp") == []


def open_settings_and_check(page, label: str) -> None:
    page.get_by_role("contentinfo").get_by_role("link", name="Paramètres des cookies").click()
    page.get_by_role("dialog").get_by_role("switch", name=re.compile(label)).check()
    page.get_by_role("dialog").get_by_role("button", name="Enregistrer mes choix").click()


def test_a_nested_block_comes_back_only_under_its_own_purpose_and_once(gated, live_server):
    gated.goto("/nested/")
    gated.evaluate("window.__sameDocument = true")
    gated.locator("#cc-banner").get_by_role("button", name="Personnaliser").click()
    gated.get_by_role("dialog").get_by_role("switch", name=re.compile("Publicité")).check()
    gated.get_by_role("dialog").get_by_role("button", name="Enregistrer mes choix").click()
    wait_until(gated, "window.__ads === 1")
    gated.wait_for_timeout(300)
    # The advertising block is back; the statistics block inside it stays held.
    assert gated.evaluate("window.__order") == []
    assert "https://stub.example/stats2.js" not in third_parties(gated, live_server)
    assert gated.locator("#ads-box script[type='text/plain'][data-consent='statistics']").count() == 1
    wait_for_records(1)
    open_settings_and_check(gated, "Statistiques")
    wait_until(gated, "window.__order.length === 1")
    gated.wait_for_timeout(300)
    assert gated.evaluate("[window.__order, window.__ads, window.__sameDocument]") == [["s2"], 1, True]
    assert gated.evaluate("window.__csp") == []
    wait_for_records(2)
    # A later decision brings nothing back twice.
    open_settings_and_check(gated, "Préférences")
    wait_for_records(3)
    gated.wait_for_timeout(300)
    assert gated.evaluate("[window.__order, window.__ads]") == [["s2"], 1]


def test_the_nested_blocks_wait_for_both_purposes_when_the_inner_one_comes_first(gated, live_server):
    gated.goto("/nested/")
    gated.locator("#cc-banner").get_by_role("button", name="Personnaliser").click()
    gated.get_by_role("dialog").get_by_role("switch", name=re.compile("Statistiques")).check()
    gated.get_by_role("dialog").get_by_role("button", name="Enregistrer mes choix").click()
    wait_for_records(1)
    gated.wait_for_timeout(300)
    assert gated.evaluate("[window.__order, window.__ads]") == [[], None]
    assert "https://stub.example/stats2.js" not in third_parties(gated, live_server)
    assert gated.locator("template[data-consent='advertising']").count() == 1
    open_settings_and_check(gated, "Publicité")
    wait_until(gated, "window.__ads === 1 && window.__order.length === 1")
    assert gated.evaluate("window.__csp") == []


def test_with_a_shared_cookie_domain_a_planted_cookie_releases_the_tags_but_the_server_reads_no_choice(
    gated, live_server, settings
):
    # What the README warns of: with CONSENT_COOKIE_DOMAIN set, any host under the domain may set the
    # consent cookie; consent.js cannot check its signature, the server can.
    import time
    import uuid

    from consent.models import ConsentRecord
    from consent.visitor import cookie
    from consent.visitor.snapshot import get_snapshot

    settings.CONSENT_COOKIE_DOMAIN = ".nocrm.example"
    planted = f"{uuid.uuid4()}.111.{get_snapshot().revision}.{int(time.time())}:not-our-signature"
    assert cookie.cookie_name() == settings.CONSENT_COOKIE_NAME  # no __Host- prefix is possible
    gated.context.add_cookies([{"name": cookie.cookie_name(), "value": planted, "url": live_server.url}])
    gated.goto("/gating/")
    wait_until(gated, "window.__stats === 1 && window.__ads === 1 && window.__prefs === 1")
    assert not gated.locator("#cc-banner").is_visible()
    assert cookie.loads(planted) is None
    assert ConsentRecord.objects.count() == 0
