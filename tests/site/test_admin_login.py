"""The admin login is rate-limited per client, with a clear answer (issue 27)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from tests.html import elements


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_user("dpo", password="correct horse battery", is_staff=True)


def attempt(client, password: str, address: str = "203.0.113.7"):
    return client.post(
        "/admin/login/", {"username": "dpo", "password": password, "next": "/admin/"}, REMOTE_ADDR=address
    )


def test_over_the_limit_even_the_right_password_gets_429_and_a_sentence(client, staff, settings, one_rate_window):
    settings.ADMIN_LOGIN_RATE_LIMIT = 3
    assert [attempt(client, "wrong").status_code for _ in range(3)] == [200, 200, 200]  # the form, with its error
    limited = attempt(client, "correct horse battery")
    assert limited.status_code == 429 and limited["Retry-After"] == str(settings.ADMIN_LOGIN_RATE_WINDOW)
    (note,) = elements(limited.text, "p", class_="errornote")
    assert note.text.strip() == "Trop de tentatives de connexion depuis votre adresse : réessayez dans 15 minutes."
    assert "_auth_user_id" not in client.session  # the password was not even checked
    assert client.get("/admin/login/").status_code == 200  # the page itself still shows


def test_another_client_still_logs_in(client, staff, settings, one_rate_window):
    settings.ADMIN_LOGIN_RATE_LIMIT = 1
    attempt(client, "wrong")
    assert attempt(client, "wrong").status_code == 429
    response = attempt(client, "correct horse battery", address="198.51.100.9")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(staff.pk)
