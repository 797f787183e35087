"""Shared by the scanner's tests: a member of a back-office group, a finished scan with findings."""

from __future__ import annotations

from importlib import import_module

from django.contrib.auth.models import Permission, User

from scanner.models import Finding, Scan, Status
from tests.consent.helpers import login


def login_in(client, group: str) -> User:
    """``tests.consent.helpers.login``, with the group's scanner permissions too (migration scanner 0002,
    which a transactional test's flush may have emptied)."""
    user = login(client, group)
    codenames = import_module("scanner.migrations.0002_roles").ROLES[group]
    role = user.groups.get()
    role.permissions.add(*Permission.objects.filter(content_type__app_label="scanner", codename__in=codenames))
    return User.objects.get(pk=user.pk)  # permissions are cached on the instance


def make_scan(**fields: object) -> Scan:
    defaults: dict = {
        "base_url": "http://localhost:8000",
        "pages": ["/"],
        "states": ["none"],
        "status": Status.DONE,
        "visits_done": 1,
        "visits_total": 1,
    }
    return Scan.objects.create(**(defaults | fields))


def add_finding(scan: Scan, **fields: object) -> Finding:
    defaults: dict = {"severity": 30, "kind": "undeclared", "item_type": "cookie", "name": "x", "pages": ["/"]}
    return Finding.objects.create(scan=scan, **(defaults | fields))
