from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from tests.html import attribute_values, elements
from tests.tracking.factories import claims
from tracking.mailer import MAX_TRACKED_URL, build_tracked_email, rewrite_links
from tracking.models import Event, Recipient
from tracking.tokens import Purpose, digest_matches, read_token

SITE = "https://www.nocrm.io"
INCOMPRESSIBLE = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(200))


@pytest.fixture
def email(message, recipient):
    return build_tracked_email(message=message, recipient=recipient)


def hrefs(html: str) -> list[str]:
    return attribute_values(html, "a", "href")


def html_of(email) -> str:
    [(content, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    return content


def test_tracked_email_carries_both_unsubscribe_headers(email) -> None:
    header = email.extra_headers["List-Unsubscribe"]
    https, mailto = re.fullmatch(r"<([^>]+)>, <([^>]+)>", header).groups()
    assert https.startswith(f"{SITE}/api/v2/transactional_emails/unsubscribe?signature=")
    assert mailto.startswith("mailto:unsubscribe@nocrm.io?subject=unsubscribe%20")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    sent = email.message()
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent["List-Unsubscribe"] == header


def test_tracked_email_has_the_pixel_at_the_end_of_the_body(email, message, recipient) -> None:
    body = html_of(email)
    [pixel] = elements(body, "img", width="1", height="1", alt="")
    [page_body] = elements(body, "body")
    assert pixel in page_body.iter()  # the one pixel of the document, inside its body
    path = urlsplit(pixel.attrs["src"]).path
    assert path.startswith("/o/")
    token_claims = read_token(Purpose.OPEN, path.removeprefix("/o/"))
    assert (token_claims.message_id, token_claims.recipient_id) == (message.pk, recipient.pk)


def test_rewritten_links_round_trip_to_the_original_urls(email) -> None:
    links = hrefs(html_of(email))
    click = [h for h in links if urlsplit(h).path.startswith("/l/")]
    goto = [h for h in links if urlsplit(h).path.startswith("/goto/")]
    assert len(click) == 1 and len(goto) == 1
    assert read_token(Purpose.LINK, urlsplit(click[0]).path.removeprefix("/l/")).target == (
        "https://www.nocrm.io/fonctionnalites/"
    )
    app_url = "https://app.nocrm.io/leads?view=mine&sort=recent"
    goto_parts = urlsplit(goto[0])
    assert parse_qs(goto_parts.query) == {"clicked_url": [app_url]}
    assert digest_matches(read_token(Purpose.GOTO, goto_parts.path.removeprefix("/goto/")), app_url)


def test_following_the_rewritten_links_lands_on_the_original_urls(email) -> None:
    client = Client(headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"})
    landed = []
    for href in hrefs(html_of(email)):
        parts = urlsplit(href)
        if parts.path.startswith(("/l/", "/goto/")):
            response = client.get(f"{parts.path}?{parts.query}" if parts.query else parts.path)
            assert response.status_code == 302
            landed.append(response["Location"])
    assert landed == ["https://www.nocrm.io/fonctionnalites/", "https://app.nocrm.io/leads?view=mine&sort=recent"]
    assert Event.objects.filter(kind="click").count() == 2


def test_the_unsubscribe_link_in_the_body_is_the_header_one_and_not_rewritten(email) -> None:
    https = re.match(r"<([^>]+)>", email.extra_headers["List-Unsubscribe"])[1]
    assert https in hrefs(html_of(email))
    assert https in email.body  # the text part


def test_the_list_unsubscribe_url_unsubscribes_with_a_one_click_post(email, recipient) -> None:
    parts = urlsplit(re.match(r"<([^>]+)>", email.extra_headers["List-Unsubscribe"])[1])
    response = Client(enforce_csrf_checks=True).post(f"{parts.path}?{parts.query}", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Recipient.objects.get(pk=recipient.pk).is_subscribed


def test_the_pixel_carries_no_recipient_when_opens_are_counted_per_message(settings, message, recipient) -> None:
    settings.TRACKING_OPENS_WITHOUT_RECIPIENT = True
    body = html_of(build_tracked_email(message=message, recipient=recipient))
    [src] = attribute_values(body, "img", "src")
    assert read_token(Purpose.OPEN, urlsplit(src).path.removeprefix("/o/")).recipient_id is None


def test_tracker_urls_use_the_tracking_base_url(settings, message, recipient) -> None:
    settings.TRACKING_BASE_URL = "https://links.nocrm.io"
    body = html_of(build_tracked_email(message=message, recipient=recipient))
    assert 'src="https://links.nocrm.io/o/' in body
    assert 'href="https://links.nocrm.io/l/' in body


def test_only_trackable_links_are_rewritten(message, recipient) -> None:
    body = (
        '<a href="mailto:a@b.c">m</a><a href="tel:+331">t</a><a href="#top">a</a>'
        '<a href="javascript:alert(1)">j</a><a href="ftp://x.org/">f</a>'
        f'<a href="https://example.com/{INCOMPRESSIBLE[: 2 * MAX_TRACKED_URL]}">long</a>'
        "<a class='x' href='https://example.com/?a=1&amp;b=2'>ok</a>"
    )
    rewritten = rewrite_links(body, claims(message, recipient))
    assert rewritten.replace("https://www.nocrm.io/l/", "").count("href") == 7
    unchanged, changed = rewritten.split("<a class='x' ")
    assert unchanged == body.split("<a class='x' ")[0]
    [url] = attribute_values(rewritten, "a", "href", class_="x")
    token_claims = read_token(Purpose.LINK, urlsplit(url).path.removeprefix("/l/"))
    assert token_claims.target == "https://example.com/?a=1&b=2"


# --- The tracking footer (decision 0007) ---------------------------------------------------------------


def test_every_tracked_email_links_to_the_withdrawal_page_in_both_parts(email, message, recipient) -> None:
    body = html_of(email)
    [link] = elements(body, "a", href=next(h for h in hrefs(body) if "/email-tracking/off/" in h))
    assert link.text == "Ne plus suivre mes ouvertures et mes clics"
    url = link.attrs["href"]
    assert url in email.body  # the text part has the same link
    token = urlsplit(url).path.rsplit("/", 1)[1]
    claims_read = read_token(Purpose.TRACKING_OFF, token)
    assert (claims_read.message_id, claims_read.recipient_id) == (message.pk, recipient.pk)
    assert "nous ne comptons que des totaux anonymes" in email.body
    # Following it (GET, then the page's POST) withdraws; the e-mails keep coming.
    assert Client().get(urlsplit(url).path).status_code == 200
    assert Client().post(urlsplit(url).path).status_code == 200
    assert Recipient.objects.get().is_subscribed


def test_a_consent_email_links_to_the_consent_page_unrewritten(message, recipient) -> None:
    message.template = "consent_request"
    email = build_tracked_email(message=message, recipient=recipient)
    consent = [h for h in hrefs(html_of(email)) if "/email-tracking/on/" in h]
    assert len(consent) == 1 and consent[0] in email.body
    assert read_token(Purpose.TRACKING_ON, urlsplit(consent[0]).path.rsplit("/", 1)[1]) is not None
