"""A choice made while the database is down reaches the log from the same page, without navigation.

tests/e2e/test_consent_banner.py covers the record sent again by the next page; this covers the
visitor who stays on the page: consent.js retries by itself, waiting twice as long each time.
"""

import time

from playwright.sync_api import expect

from tests.e2e.helpers import consent_cookie, wait_for_records, wait_in, wait_until


def test_the_page_sends_a_withheld_choice_again_by_itself_once_the_database_is_back(site, postgres):
    answers: list[tuple[float, int]] = []
    navigations: list[str] = []
    site.on("response", lambda r: r.url.endswith("/consent/") and answers.append((time.monotonic(), r.status)))
    site.on("framenavigated", lambda frame: frame == site.main_frame and navigations.append(frame.url))
    site.goto("/")
    postgres.stop()
    site.locator("#cc-banner").get_by_role("button", name="Tout accepter").click()
    expect(site.locator("#cc-banner")).to_be_hidden()
    wait_in(site, lambda: len(answers) >= 1, timeout=10)  # the banner hides before the answer comes
    assert consent_cookie(site) is not None  # the 503 still set the cookie: the choice applies at once
    wait_in(site, lambda: len(answers) >= 2, timeout=10)  # the first retry, still refused
    postgres.start()
    wait_in(site, lambda: len(answers) >= 3, timeout=20)  # the next one, after twice the wait

    assert [status for _t, status in answers] == [503, 503, 200]
    first_wait, second_wait = answers[1][0] - answers[0][0], answers[2][0] - answers[1][0]
    assert first_wait >= 1.9, first_wait
    assert second_wait >= 1.6 * first_wait, (first_wait, second_wait)
    (record,) = wait_for_records(1)
    assert record.action == "accept_all"
    wait_until(site, "localStorage.getItem('cc-pending') === null")
    assert len(navigations) == 1  # the page never reloaded or left
