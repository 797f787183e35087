"""The declarations when the shared cache (Redis) does not answer: pages keep being served, each
process falls back to its own expiry and says so once; when it answers again, changes show at once."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import caches
from django.test import override_settings

from consent.visitor import snapshot, version
from tests.servers import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(monkeypatch):
    port = free_port()  # nothing listens there
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    monkeypatch.setattr(version._health, "down_since", None)
    with override_settings(CACHES=dead, CONSENT_DECLARATIONS_CACHE_SECONDS=60):
        yield
    caches["default"].close()
    version._health.down_since = None


def test_pages_are_served_while_redis_is_down_and_the_log_says_why(demo, client, redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="consent.visitor.version"):
        for _ in range(3):
            assert client.get("/").status_code == 200
    messages = [r.getMessage() for r in caplog.records if r.name == "consent.visitor.version"]
    assert len(messages) == 1, messages  # said once, not on every page view
    assert "shared cache unreachable" in messages[0] and "every 60 s" in messages[0]


def test_while_redis_is_down_declarations_expire_per_process(demo, redis_down, monkeypatch):
    first = snapshot.get_snapshot()
    assert first.version.startswith("local-")
    assert snapshot.get_snapshot() is first  # kept within the expiry: no query
    monkeypatch.setattr(snapshot._state, "built_at", snapshot._state.built_at - 61)
    assert snapshot.get_snapshot() is not first  # rebuilt once expired


def test_a_change_while_redis_is_down_shows_on_this_server_at_once(
    demo, redis_down, django_capture_on_commit_callbacks
):
    from consent.models import Purpose

    before = snapshot.get_snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        Purpose.objects.filter(slug="statistics").update(name_fr="Mesure d'audience revue")
        snapshot.invalidate()
    after = snapshot.get_snapshot()
    assert after is not before
    assert "Mesure d'audience revue" in [p.name_fr for p in after.purposes]


def test_redis_back_means_changes_show_at_once_again(demo, redis_down, monkeypatch, caplog):
    snapshot.get_snapshot()
    assert version._health.down_since is not None
    # Redis answers again (here the per-process cache stands in for it).
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        monkeypatch.setattr(version._health, "down_since", version._health.down_since - version.RETRY_SECONDS)
        with caplog.at_level(logging.WARNING, logger="consent.visitor.version"):
            back = snapshot.get_snapshot()
        assert not back.version.startswith("local-")
        assert "reachable again" in caplog.text
        assert version.forget_version()
        assert snapshot.get_snapshot().version != back.version  # the deletion is seen by the next view
