"""Prepares the environment before pytest-django reads the settings.

The suite runs on a throwaway PostgreSQL cluster of its own (deleted at the end), with production
defaults except HTTPS redirection, which the test client and the live server do not speak.
"""

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nocrm_site.settings")
os.environ["ENV_FILE"] = os.devnull  # a developer's .env must not change what the tests see
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-django-checks-0123456789")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
if not os.environ.get("DATABASE_URL"):
    os.environ["EMBEDDED_PGDATA"] = os.path.join(tempfile.mkdtemp(prefix="nocrm-test-pg-"), "data")
    os.environ["EMBEDDED_CLEANUP"] = "delete"


def pytest_configure() -> None:
    # Reading the settings marks them configured, so pytest-django (whose hook runs last) sets
    # Django up with the environment prepared above.
    from django.conf import settings

    from nocrm_site.embedded_pg.places import ClusterUnreachable, places

    if "EMBEDDED_PGDATA" in settings.DATABASES["default"]:
        try:
            places(Path(settings.DATABASES["default"]["EMBEDDED_PGDATA"]).resolve())
        except ClusterUnreachable as error:
            raise pytest.UsageError(str(error)) from None  # one sentence, before a thousand errors
