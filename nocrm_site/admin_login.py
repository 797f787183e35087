"""The admin's login page, with its attempts counted per client (issue 27).

Django's admin lets anyone try passwords as fast as they like. Each POST to the login page counts
against ``ADMIN_LOGIN_RATE_LIMIT`` attempts per ``ADMIN_LOGIN_RATE_WINDOW`` seconds, per client and per
IPv6 /48 (``ratelimit``, the same counters in PostgreSQL as every other limit, so they hold across
servers); over it, the page answers 429 with ``Retry-After`` and a sentence saying when to try again,
without checking the password. Counted per client rather than per account (django-axes's lockout),
so that nobody can lock a DPO out of the back office by trying their username from elsewhere.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ratelimit.services import register_client_hit


def login(request: HttpRequest) -> HttpResponse:
    """``admin.site.login`` behind the per-client limit of login attempts."""
    if request.method == "POST" and not register_client_hit(
        scope="admin-login",
        request=request,
        limit=settings.ADMIN_LOGIN_RATE_LIMIT,
        window=settings.ADMIN_LOGIN_RATE_WINDOW,
    ):
        minutes = max(1, settings.ADMIN_LOGIN_RATE_WINDOW // 60)
        context = {**admin.site.each_context(request), "minutes": minutes, "title": "429"}
        response = render(request, "admin/login_limited.html", context, status=429)
        response["Retry-After"] = str(settings.ADMIN_LOGIN_RATE_WINDOW)
        return response
    return admin.site.login(request)
