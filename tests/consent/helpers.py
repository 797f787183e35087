"""What the consent tests do through a test client: post a decision as the page does, log in as a role."""

from __future__ import annotations

import json
from importlib import import_module

from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse


def banner_hash(language: str | None = None) -> str:
    """The hash of the banner version that a page in ``language`` (the active one) shows now."""
    from django.utils.translation import get_language

    from consent.visitor.ui import current_ui

    return current_ui(language or get_language()).banner_hash


def consent_post(client, body: dict | str | bytes, content_type: str = "application/json", **headers: str):
    """POST to the consent endpoint as a same-origin browser would: a dict as JSON (naming the banner
    version the page shows, unless it names one), text or bytes as they are."""
    headers.setdefault("HTTP_SEC_FETCH_SITE", "same-origin")
    if isinstance(body, dict) and "banner" not in body:
        body = {**body, "banner": banner_hash()}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(reverse("consent:update"), data=data, content_type=content_type, **headers)


def login(client, group: str | None, *, superuser: bool = False) -> User:
    """A staff member of ``group`` (the admin requires the staff flag), logged in on ``client``."""
    user = User.objects.create_user(f"{group or 'staff'}-{superuser}", is_staff=True, is_superuser=superuser)
    if group:
        role, created = Group.objects.get_or_create(name=group)
        if created:
            # A transactional test ran before, and its flush emptied the groups that migration 0004
            # creates: the same group again, with the same permissions.
            codenames = [
                *import_module("consent.migrations.0004_roles").ROLES[group],
                *import_module("consent.migrations.0015_vendor_catalog").ROLES.get(group, []),
            ]
            role.permissions.set(Permission.objects.filter(content_type__app_label="consent", codename__in=codenames))
        user.groups.add(role)
    client.force_login(user)
    return user
