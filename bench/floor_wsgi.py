"""The site's WSGI application for benchmarks, with ``/floor/startproject/`` answered under the
middleware of a project fresh from ``django-admin startproject`` (Django 5.2's template) instead of ours.

The home page is measured against a bare view returning its bytes there (issue 17: a page should cost
no more than the cheapest Django view). Every other floor stays under the site's own middleware, so
that it weighs what the figure it is compared with weighs. Production never loads this module.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nocrm_site.settings")

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

# django/conf/project_template/project_name/settings.py-tpl, Django 5.2.
STARTPROJECT_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
FLOOR_PREFIX = "/floor/startproject/"


class StartprojectHandler(WSGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        with override_settings(MIDDLEWARE=STARTPROJECT_MIDDLEWARE):
            super().load_middleware(is_async)


site = get_wsgi_application()
floor = StartprojectHandler()


def application(environ, start_response):  # type: ignore[no-untyped-def]
    handler = floor if environ.get("PATH_INFO", "").startswith(FLOOR_PREFIX) else site
    return handler(environ, start_response)
