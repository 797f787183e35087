from __future__ import annotations

import time

from django.core import signing
from django.core.checks import run_checks

from tracking.tokens import Claims, Purpose, digest_matches, make_token, read_token, url_digest

CLAIMS = Claims(message_id=12, recipient_id=345, sent_at=int(time.time()) - 60, target="https://example.com/a?b=c")


def test_token_round_trips_for_each_purpose() -> None:
    for purpose in Purpose:
        assert read_token(purpose, make_token(purpose, CLAIMS)) == CLAIMS


def test_token_is_url_safe_and_compact() -> None:
    token = make_token(Purpose.OPEN, Claims(message_id=12, recipient_id=345, sent_at=1_800_000_000))
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert len(token) < 80


def test_long_urls_are_compressed() -> None:
    url = "https://example.com/" + "path/" * 200
    token = make_token(Purpose.LINK, Claims(message_id=1, recipient_id=2, sent_at=3, target=url))
    assert token.startswith(".")  # django.core.signing's mark of a compressed payload
    assert len(token) < len(url)


def test_tampered_token_is_refused() -> None:
    token = make_token(Purpose.LINK, CLAIMS)
    for i in (0, len(token) // 2, len(token) - 1):
        flipped = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
        assert read_token(Purpose.LINK, flipped) is None


def test_truncated_token_is_refused() -> None:
    token = make_token(Purpose.LINK, CLAIMS)
    for cut in (1, 10, len(token) // 2, len(token) - 1):
        assert read_token(Purpose.LINK, token[:cut]) is None
    assert read_token(Purpose.LINK, "") is None


def test_token_of_another_purpose_is_refused() -> None:
    assert read_token(Purpose.UNSUBSCRIBE, make_token(Purpose.OPEN, CLAIMS)) is None
    assert read_token(Purpose.GOTO, make_token(Purpose.LINK, CLAIMS)) is None


def test_token_with_a_foreign_salt_is_refused() -> None:
    foreign = signing.Signer(salt="consent.cookie", sep=".").sign_object([12, 345, 1])
    assert read_token(Purpose.OPEN, foreign) is None
    assert read_token(Purpose.OPEN, signing.dumps([12, 345, 1])) is None


def test_signed_payload_of_the_wrong_shape_is_refused(settings) -> None:
    signer = signing.Signer(salt=f"{settings.TRACKING_SIGNING_SALT}.open", sep=".")
    for payload in ({"m": 1}, [1], [1, 2, 3, 4, 5], ["1", 2, 3], [0, 2, 3], [1, 2, "3"], [1, 2, 3, 4], [True, 2, 3]):
        assert read_token(Purpose.OPEN, signer.sign_object(payload)) is None


def test_links_survive_a_key_rotation_through_the_fallbacks(settings) -> None:
    token = make_token(Purpose.LINK, CLAIMS)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-brand-new-secret-key-after-rotation-0123456789-abcdefghijklmnop"
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert read_token(Purpose.LINK, token) == CLAIMS
    settings.SECRET_KEY_FALLBACKS = []
    assert read_token(Purpose.LINK, token) is None


def test_tokens_never_expire_by_default_and_expire_after_max_age() -> None:
    old = Claims(message_id=1, recipient_id=2, sent_at=int(time.time()) - 3 * 365 * 86400)
    token = make_token(Purpose.LINK, old)
    assert read_token(Purpose.LINK, token) == old
    assert read_token(Purpose.LINK, token, max_age=400 * 86400) is None
    assert read_token(Purpose.LINK, token, max_age=4 * 365 * 86400) == old


def test_digest_matches_only_the_exact_url() -> None:
    digest_claims = Claims(message_id=1, recipient_id=2, sent_at=3, target=url_digest("https://app.nocrm.io/a"))
    assert digest_matches(digest_claims, "https://app.nocrm.io/a")
    assert not digest_matches(digest_claims, "https://app.nocrm.io/a/")
    assert not digest_matches(digest_claims, "https://app.nocrm.io/A")


def test_a_link_lifetime_under_30_days_fails_the_system_check(settings) -> None:
    settings.TRACKING_LINK_MAX_AGE = 7 * 86400
    assert "tracking.E001" in [m.id for m in run_checks()]
    settings.TRACKING_LINK_MAX_AGE = 30 * 86400
    assert "tracking.E001" not in [m.id for m in run_checks()]
