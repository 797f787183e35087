"""The declarations' version token in the Django cache, and what happens when a shared cache is down.

With a shared cache (Redis, ``CACHE_URL``) every server reads the token on each page view and an
admin change deletes it, so the change shows everywhere at once. The shared cache must not become a
single point of failure: when it does not answer, each process keeps its declarations for
``CONSENT_DECLARATIONS_CACHE_SECONDS`` at most, as with the per-process default, says so once in the
log, and asks the cache again at most every ``RETRY_SECONDS``, so that a page view never waits for
it more than once a second. Once it answers again, invalidation is immediate again.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

VERSION_KEY = "consent:declarations-version"
RETRY_SECONDS = 1.0
logger = logging.getLogger(__name__)


class Unreachable(Exception):
    """The shared cache did not answer (or was not asked, having failed less than a second ago)."""


class _Health:
    down_since: float | None = None  # time.monotonic() of the last failure while down
    lock = threading.Lock()


_health = _Health()


def _guarded(operation: Callable[..., object], *args: object) -> object:
    if _health.down_since is not None and time.monotonic() - _health.down_since < RETRY_SECONDS:
        raise Unreachable
    try:
        result = operation(*args)
    # Each cache backend raises its own connection errors (redis.exceptions, OSError, …): any failure
    # of the cache is an outage of the cache here, never a reason for a page to fail.
    except Exception as error:
        with _health.lock:
            if _health.down_since is None:
                logger.warning(
                    "shared cache unreachable (%s): declarations now refresh every %s s in each process",
                    type(error).__name__,
                    settings.CONSENT_DECLARATIONS_CACHE_SECONDS,
                )
            _health.down_since = time.monotonic()
        raise Unreachable from error
    with _health.lock:
        if _health.down_since is not None:
            logger.warning("shared cache reachable again: admin changes show at once again")
            _health.down_since = None
    return result


def current_version() -> str | None:
    """The token in the cache, None when there is none (changed or expired); raises Unreachable."""
    return _guarded(cache.get, VERSION_KEY)  # type: ignore[return-value]


def settle_version() -> str:
    """A new token, stored unless another process stored one first (then that one); raises Unreachable."""
    version = uuid.uuid4().hex
    # add() so that concurrent builders on several servers settle on one token.
    if not _guarded(cache.add, VERSION_KEY, version, settings.CONSENT_DECLARATIONS_CACHE_SECONDS):
        version = _guarded(cache.get, VERSION_KEY) or version  # type: ignore[assignment]
    return version


def forget_version() -> bool:
    """Deletes the token so that every process sharing the cache rebuilds; False if the cache is down."""
    try:
        _guarded(cache.delete, VERSION_KEY)
    except Unreachable:
        return False
    return True


def shared() -> bool:
    """Whether the cache is shared between processes (a deletion of the token reaches every server)."""
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1] not in ("LocMemCache", "DummyCache")


def local_version() -> str:
    """A token of this process alone, for declarations built while the shared cache is down."""
    return "local-" + uuid.uuid4().hex
