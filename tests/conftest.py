"""Shared fixtures: demo declarations, a real Chromium through Playwright, one per session."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session", autouse=True)
def _static_files() -> None:
    """Pages are tested with the production storage (hashed, compressed), built from the sources."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A fresh collectstatic with the production storage (minified, hashed, compressed) into an empty
    STATIC_ROOT of the module's own, which the storage and WhiteNoise then read; yields the storage."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command
    from django.test import override_settings

    with override_settings(STATIC_ROOT=tmp_path_factory.mktemp("static_root")):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield staticfiles_storage


@pytest.fixture(scope="session", autouse=True)
def _live_server_serves_static_like_production() -> Iterator[None]:
    """The live server hands /static/ to WhiteNoise (hashed, compressed files), as in production,
    instead of Django's development handler, which knows only the unhashed source files."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(StaticFilesHandler, "_should_handle", lambda self, path: False)
        yield


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker) -> Iterator[None]:
    """The test database as in production (decision 0005): the owner role creates and migrates it, the
    app alias (``default``) then points at it under its own role, and the owner empties it after each
    transactional test.

    pytest-django's set-up would create it through ``default``: Django always makes ``default`` the
    first alias of a database, the one that creates and migrates it (TEST DEPENDENCIES between two
    aliases of one database are refused as circular), and the app role may do neither.
    """
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.test import TestCase, TransactionTestCase
    from django.test.utils import setup_databases, teardown_databases

    from consent.privileges import OWNER
    from tests.database import create_backdating_function, flush_with_append_only_guard_off

    if OWNER not in connections.settings:
        raise pytest.UsageError("With DATABASE_URL, the tests need DATABASE_OWNER_URL too (another role).")
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        config = setup_databases(verbosity=verbosity, interactive=False, aliases={OWNER}, serialized_aliases=set())
        app = connections[DEFAULT_DB_ALIAS]
        app.creation.set_as_test_mirror(connections[OWNER].settings_dict)  # NAME only: USER stays the app's
        app.settings_dict["TEST"]["MIRROR"] = OWNER  # so Django's flush leaves this alias alone
        create_backdating_function(OWNER, app.settings_dict["USER"])
    with pytest.MonkeyPatch.context() as patch:
        # Transactional tests may reach the owner, whose flush empties the database after each of them.
        patch.setattr(TransactionTestCase, "databases", {DEFAULT_DB_ALIAS, OWNER})
        patch.setattr(TestCase, "databases", {DEFAULT_DB_ALIAS})
        patch.setattr(TransactionTestCase, "_fixture_teardown", flush_with_append_only_guard_off(OWNER))
        yield
    with django_db_blocker.unblock():
        connections.close_all()
        teardown_databases(config, verbosity=verbosity)


@pytest.fixture
def log_retention(django_db_blocker) -> Iterator[Callable[[int], None]]:
    """Sets the consent log's retention period for this test: ``CONSENT_LOG_RETENTION_DAYS`` and the
    database's copy, which the owner role writes (committed at once, as migrate does) and the purge obeys."""
    from django.db import connections
    from django.test import override_settings

    from consent.backoffice.retention import store_retention_period
    from consent.privileges import OWNER

    overrides = []

    def store() -> None:
        owner = connections.create_connection(OWNER)  # not the test's connection: outside its transaction
        try:
            with django_db_blocker.unblock():
                store_retention_period(owner)
        finally:
            owner.close()

    def set_days(days: int) -> None:
        overrides.append(override_settings(CONSENT_LOG_RETENTION_DAYS=days))
        overrides[-1].enable()
        store()

    yield set_days
    for override in reversed(overrides):
        override.disable()
    if overrides:
        store()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts in French with empty caches (declarations, rate limits)."""
    from django.utils import translation

    translation.activate("fr")  # a request to an /en/ page leaves English active in the thread
    cache.clear()
    from consent.visitor import snapshot as declarations

    declarations.clear()
    from consent.visitor import ui

    ui.clear()
    from consent.visitor import receipt

    receipt._shown.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def tracking_batch() -> Iterator[object]:
    """Tracker views queue their events as in production (tracking.batch), but the queue is written
    when each request ends, in the test's own connection and transaction, instead of by a timer thread
    (which would not see the test's uncommitted messages). tests/tracking/test_batch.py runs the thread."""
    from django.conf import settings
    from django.core.signals import request_finished

    from tracking import batch as module

    batch = module.EventBatch(
        interval=settings.TRACKING_EVENT_FLUSH_SECONDS, backlog=settings.TRACKING_EVENT_BACKLOG, background=False
    )

    def flush(**kwargs: object) -> None:
        batch.flush()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "_batch", batch)
        request_finished.connect(flush, dispatch_uid="tests.flush_tracking_batch")
        try:
            yield batch
        finally:
            request_finished.disconnect(dispatch_uid="tests.flush_tracking_batch")


@pytest.fixture
def demo(db) -> None:
    """The demo declarations and policy revision 1."""
    from consent.demo import load_demo

    load_demo()


@pytest.fixture
def receipt_key(settings) -> str:
    """A fresh key that signs consent receipts for this test, and no retired one."""
    import secrets

    settings.CONSENT_RECEIPT_KEY = secrets.token_urlsafe(32)
    settings.CONSENT_RECEIPT_OLD_KEYS = []
    return settings.CONSENT_RECEIPT_KEY


@dataclass(frozen=True)
class _SessionChromium:
    browser: Any
    loop: asyncio.AbstractEventLoop


@pytest.fixture(scope="session")
def _chromium() -> Iterator[_SessionChromium]:
    """One headless Chromium for the whole session (the system's, never a downloaded build).

    Playwright's sync API leaves its event loop set as the thread's running loop, and Django rightly
    refuses ORM calls while a loop runs. Between the tests that drive the browser the loop is unset
    again (Playwright sets it back at its next call), so every other test, the scanner's among them,
    runs as production does, with no loop and no DJANGO_ALLOW_ASYNC_UNSAFE."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
            ],
        )
        loop = asyncio.get_running_loop()
        asyncio._set_running_loop(None)
        try:
            yield _SessionChromium(browser, loop)
        finally:
            asyncio._set_running_loop(loop)
            browser.close()


@pytest.fixture
def browser(_chromium: _SessionChromium, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The session's Chromium, for a test that drives it and reads the database beside it.

    For this test alone, Playwright's loop is the thread's running loop and Django is told to allow
    ORM calls next to it (DJANGO_ALLOW_ASYNC_UNSAFE, removed when the test ends): the code under test
    runs in the live server's thread, which has no loop, and never relies on it."""
    from django.db import connections

    asyncio._set_running_loop(_chromium.loop)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        yield _chromium.browser
    finally:
        # Django keeps a thread's connections apart while a loop runs (asgiref's Local): those this
        # test opened are closed now, while they can still be reached.
        connections.close_all()
        asyncio._set_running_loop(None)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies, no storage) on the live server; third parties are blocked."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    # Never the internet: a test that needs a third party routes it to a local stub itself. The
    # pattern is a regular expression so that the browser's driver matches it: requests to the
    # live server never wait for this (possibly busy) Python thread.
    own = re.escape(live_server.url)
    context.route(re.compile(f"^(?!{own}/)"), lambda route: route.abort())
    page = context.new_page()
    yield page
    context.close()


class _Postgres:
    """Stops and starts the test cluster (fault injection); see nocrm_site.embedded_pg."""

    def __init__(self, pgdata) -> None:
        self.pgdata = pgdata

    def stop(self) -> None:
        from django.db import connections

        from nocrm_site import embedded_pg

        connections.close_all()
        embedded_pg.stop(self.pgdata)

    def start(self) -> None:
        from django.db import connections

        from nocrm_site import embedded_pg

        embedded_pg.start(self.pgdata)
        connections.close_all()


@pytest.fixture
def postgres(transactional_db):
    from pathlib import Path

    from django.conf import settings

    if "EMBEDDED_PGDATA" not in settings.DATABASES["default"]:
        pytest.skip("needs the embedded PostgreSQL (DATABASE_URL is set)")
    control = _Postgres(Path(settings.DATABASES["default"]["EMBEDDED_PGDATA"]))
    yield control
    control.start()  # whatever the test did, the cluster is up for the next one


@pytest.fixture
def database_down(postgres):
    """The test cluster is stopped for the duration of the test."""
    postgres.stop()
    yield


@pytest.fixture
def one_rate_window() -> None:
    """Starts the test early in a minute, so that a per-minute rate limit counts all its requests in
    one window (a test that straddles a minute boundary would see its count start afresh)."""
    import time

    into_minute = time.time() % 60
    if into_minute > 45:
        time.sleep(60 - into_minute + 0.1)
