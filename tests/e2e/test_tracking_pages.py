"""The withdrawal and consent pages in Chromium with JavaScript off: the button works as a plain form
under the pages' own Referrer-Policy: no-referrer (browsers then send "Origin: null" with the POST)."""

from __future__ import annotations

import pytest

from tests.tracking.factories import make_message, make_recipient, tracking_path
from tracking.models import TrackingConsent


@pytest.mark.parametrize("given", [False, True])
def test_the_button_records_the_choice_without_javascript(transactional_db, browser, live_server, given) -> None:
    message = make_message()
    recipient = make_recipient(consent=not given)
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(tracking_path(message, recipient, given=given))
        before = TrackingConsent.objects.count()
        page.click("main form button")
        page.wait_for_load_state()
        expected = "Merci, votre accord est enregistré" if given else "Nous ne suivons plus vos ouvertures ni vos clics"
        assert page.inner_text("main h1") == expected
    finally:
        context.close()
    assert TrackingConsent.objects.count() == before + 1  # one record, from the POST
    current = TrackingConsent.objects.current(recipient.pk)
    assert current.given is given and current.language == "fr"
