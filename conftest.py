"""Prepares the environment before pytest-django reads the settings.

The suite runs on a throwaway PostgreSQL cluster of its own (deleted at the end), with production
defaults except HTTPS redirection, which the test client and the live server do not speak.
"""

import os
import tempfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nocrm_site.settings")
os.environ["ENV_FILE"] = os.devnull  # a developer's .env must not change what the tests see
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-django-checks-0123456789")
os.environ.setdefault("DEBUG", "0")
# Playwright's sync API runs an event loop in the test thread; Django would take the ORM calls
# made next to it for async code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
if not os.environ.get("DATABASE_URL"):
    os.environ["EMBEDDED_PGDATA"] = os.path.join(tempfile.mkdtemp(prefix="nocrm-test-pg-"), "data")
    os.environ["EMBEDDED_CLEANUP"] = "delete"


def pytest_configure() -> None:
    # Reading the settings marks them configured, so pytest-django (whose hook runs last) sets
    # Django up with the environment prepared above.
    from django.conf import settings

    assert settings.DATABASES
