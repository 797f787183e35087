"""What the log proves, as a browser produces it: the revision a page showed, a lost answer."""

import json

from playwright.sync_api import expect

from consent.backoffice.revisions import bump_policy_revision
from consent.models import ConsentRecord
from consent.visitor import cookie
from tests.e2e.helpers import consent_cookie, wait_for_records, wait_in, wait_until
from tests.servers import request


def banner(page):
    return page.locator("#cc-banner")


def test_a_choice_made_on_a_page_of_an_older_revision_is_recorded_under_it_and_asked_again(site):
    site.goto("/")
    shown = json.loads(site.locator("#cc-config").text_content())
    bump_policy_revision(author=None, note="nouveau fournisseur publicitaire")  # while the tab is open
    banner(site).get_by_role("button", name="Tout accepter").click()
    (record,) = wait_for_records(1)
    assert (record.policy_revision, record.banner_hash) == (1, shown["banner"])
    site.reload()
    expect(banner(site)).to_be_visible()  # revision 2 asks again
    banner(site).get_by_role("button", name="Tout refuser", exact=True).click()
    _, again = wait_for_records(2)
    assert again.policy_revision == 2 and again.banner_hash != shown["banner"]


def test_a_pending_choice_of_an_older_revision_is_sent_as_made_and_the_visitor_asked_again(site):
    site.goto("/")
    shown = json.loads(site.locator("#cc-config").text_content())
    site.route("**/consent/", lambda route: route.abort())  # the choice stays pending
    banner(site).get_by_role("button", name="Tout accepter").click()
    wait_until(site, "localStorage.getItem('cc-pending') !== null")
    site.unroute("**/consent/")
    bump_policy_revision(author=None, note="nouveau fournisseur publicitaire")
    site.goto("/tarifs/")
    (record,) = wait_for_records(1)  # the proof of what was chosen under revision 1
    assert record.policy_revision == 1 and record.banner_hash == shown["banner"]
    expect(banner(site)).to_be_visible()  # not applied as a choice under revision 2


def test_a_decision_whose_answer_was_lost_gets_the_consent_id_it_was_stored_under(site):
    attempts = []

    def drop_first_answer(route):
        attempts.append(route.request.post_data)
        if len(attempts) == 1:
            # The server receives and stores the decision, but its answer never reaches the page.
            status, _headers, _text = request(route.request.url, body=json.loads(route.request.post_data))
            assert status == 200
            return route.abort()
        return route.continue_()

    site.route("**/consent/", drop_first_answer)
    site.goto("/")
    banner(site).get_by_role("button", name="Tout accepter").click()
    (record,) = wait_for_records(1)
    assert consent_cookie(site) is None  # the lost answer carried the cookie
    wait_in(site, lambda: consent_cookie(site) is not None, timeout=10)  # consent.js sent it again
    assert len(attempts) == 2 and json.loads(attempts[0]) == json.loads(attempts[1])
    state = cookie.loads(consent_cookie(site))
    assert state is not None and state.consent_id == record.consent_id
    assert ConsentRecord.objects.count() == 1


def test_a_revision_for_one_purpose_lets_refusals_stand_and_asks_those_who_granted_it(site, browser, live_server):
    site.goto("/")
    banner(site).get_by_role("button", name="Tout refuser", exact=True).click()
    other = browser.new_context(base_url=live_server.url).new_page()
    other.goto("/")
    banner(other).get_by_role("button", name="Tout accepter").click()
    wait_for_records(2)
    bump_policy_revision(author=None, note="nouveau traceur LinkedIn", reask_purposes=["advertising"])
    site.reload()
    other.reload()
    expect(banner(other)).to_be_visible()  # granted advertising: never saw the new tracker
    # A refusal stands (reload() returns once the page has loaded, after consent.js ran).
    expect(banner(site)).not_to_have_class("cc-banner cc-show")
    assert cookie.loads(consent_cookie(site)).revision == 1
    other.context.close()
