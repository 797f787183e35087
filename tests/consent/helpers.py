"""What the consent tests do through a test client: post a decision as the page does, log in as a role."""

from __future__ import annotations

import json

from django.contrib.auth.models import Group, User
from django.urls import reverse


def consent_post(client, body: dict | str | bytes, content_type: str = "application/json", **headers: str):
    """POST to the consent endpoint as a same-origin browser would: a dict as JSON, text or bytes as they are."""
    headers.setdefault("HTTP_SEC_FETCH_SITE", "same-origin")
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(reverse("consent:update"), data=data, content_type=content_type, **headers)


def login(client, group: str | None, *, superuser: bool = False) -> User:
    """A staff member of ``group`` (the admin requires the staff flag), logged in on ``client``."""
    user = User.objects.create_user(f"{group or 'staff'}-{superuser}", is_staff=True, is_superuser=superuser)
    if group:
        user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user
