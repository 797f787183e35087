"""Builds a tracked e-mail from templates: signed links, the open pixel, the List-Unsubscribe headers
and the tracking footer.

``templates/tracking/email/<template>.html`` and ``.txt`` are rendered with ``message``, ``recipient``,
``unsubscribe_url``, ``tracking_off_url`` and ``tracking_on_url``. In the HTML part, each ``<a href>``
to an http(s) URL becomes a /l/ link (a /goto/ link for hosts in ``TRACKING_APP_HOSTS``); the text
part keeps the plain URLs. Both parts then get the footer of ``tracking/email/_tracking_footer``: what
the trackers measure, and the link to stop it (decision 0007), whatever the message's own template says.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import is_same_domain

from tracking.destinations import safe_destination
from tracking.models import Message, Recipient
from tracking.tokens import Claims, Purpose, make_token, url_digest

# Longer tracked links are left as they are: mail clients and gunicorn's request line (4094 bytes)
# accept this length.
MAX_TRACKED_URL = 2000
ANCHOR_HREF = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)
ONE_CLICK = "List-Unsubscribe=One-Click"


def _absolute(path: str) -> str:
    return settings.TRACKING_BASE_URL.rstrip("/") + path


def pixel_url(claims: Claims) -> str:
    if settings.TRACKING_OPENS_WITHOUT_RECIPIENT:
        claims = Claims(message_id=claims.message_id, recipient_id=None, sent_at=claims.sent_at)
    return _absolute(reverse("tracking:open-pixel", args=[make_token(Purpose.OPEN, claims)]))


def unsubscribe_signature(claims: Claims) -> str:
    return make_token(Purpose.UNSUBSCRIBE, claims)


def unsubscribe_url(claims: Claims) -> str:
    query = urlencode({"signature": unsubscribe_signature(claims)})
    return _absolute(f"{reverse('tracking:unsubscribe')}?{query}")


def tracking_off_url(claims: Claims) -> str:
    """The page where the recipient withdraws their consent to tracking (every tracked e-mail links to it)."""
    return _absolute(reverse("tracking:tracking-off", args=[make_token(Purpose.TRACKING_OFF, claims)]))


def tracking_on_url(claims: Claims) -> str:
    """The page where the recipient gives their consent to tracking (for a consent e-mail)."""
    return _absolute(reverse("tracking:tracking-on", args=[make_token(Purpose.TRACKING_ON, claims)]))


def tracked_url(url: str, claims: Claims) -> str | None:
    """The tracker URL that records a click and redirects to ``url``; None when it is not trackable."""
    if safe_destination(url) is None:
        return None
    host = (urlsplit(url).hostname or "").lower()
    if any(is_same_domain(host, pattern) for pattern in settings.TRACKING_APP_HOSTS):
        token = make_token(Purpose.GOTO, _with_target(claims, url_digest(url)))
        tracked = _absolute(reverse("tracking:goto", args=[token])) + "?" + urlencode({"clicked_url": url})
    else:
        tracked = _absolute(reverse("tracking:click", args=[make_token(Purpose.LINK, _with_target(claims, url))]))
    return tracked if len(tracked) <= MAX_TRACKED_URL else None


def _with_target(claims: Claims, target: str) -> Claims:
    return Claims(message_id=claims.message_id, recipient_id=claims.recipient_id, sent_at=claims.sent_at, target=target)


def rewrite_links(body: str, claims: Claims, *, keep: frozenset[str] = frozenset()) -> str:
    """``body`` with each trackable ``<a href>`` pointing at its tracker URL (URLs in ``keep`` stay)."""

    def replace(match: re.Match[str]) -> str:
        url = html.unescape(match[3]).strip()
        tracked = None if url in keep else tracked_url(url, claims)
        if tracked is None:
            return match[0]
        return f"{match[1]}{match[2]}{html.escape(tracked)}{match[2]}"

    return ANCHOR_HREF.sub(replace, body)


def insert_pixel(body: str, url: str) -> str:
    pixel = (
        f'<img src="{html.escape(url)}" width="1" height="1" alt="" '
        'style="display:block;width:1px;height:1px;border:0;margin:0;padding:0">'
    )
    return insert_before_body_end(body, pixel)


def insert_before_body_end(body: str, fragment: str) -> str:
    ends = list(BODY_END.finditer(body))
    if not ends:
        return body + fragment
    at = ends[-1].start()
    return body[:at] + fragment + body[at:]


def build_tracked_email(
    *,
    message: Message,
    recipient: Recipient,
    context: dict[str, object] | None = None,
    sent_at: datetime | None = None,
) -> EmailMultiAlternatives:
    """The e-mail ``message`` for ``recipient``, with its trackers; not sent (see ``sending.send_tracked_email``)."""
    claims = Claims(
        message_id=message.pk, recipient_id=recipient.pk, sent_at=int((sent_at or timezone.now()).timestamp())
    )
    unsubscribe = unsubscribe_url(claims)
    own_pages = {"unsubscribe_url": unsubscribe, "tracking_off_url": tracking_off_url(claims)}
    own_pages["tracking_on_url"] = tracking_on_url(claims)
    values = {**(context or {}), "message": message, "recipient": recipient, **own_pages}
    text: str = render_to_string(f"tracking/email/{message.template}.txt", values)
    text = text.rstrip("\n") + "\n\n" + render_to_string("tracking/email/_tracking_footer.txt", values)
    body: str = render_to_string(f"tracking/email/{message.template}.html", values)
    body = rewrite_links(body, claims, keep=frozenset(own_pages.values()))
    footer = render_to_string("tracking/email/_tracking_footer.html", values)
    body = insert_pixel(insert_before_body_end(body, footer), pixel_url(claims))
    # RFC 6068: a space is %20 in a mailto: URI, never "+".
    mailto_query = urlencode({"subject": f"unsubscribe {unsubscribe_signature(claims)}"}, quote_via=quote)
    mailto = f"mailto:{settings.TRACKING_UNSUBSCRIBE_MAILTO}?{mailto_query}"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=text,
        to=[recipient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>, <{mailto}>",
            "List-Unsubscribe-Post": ONE_CLICK,
        },
    )
    email.attach_alternative(body, "text/html")
    return email
