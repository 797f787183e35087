"""Who may open what: DPO, Marketing, superuser, staff without a role, anonymous, for every back-office page."""

import pytest
from django.urls import reverse

from consent.models import PolicyRevision
from tests.consent.factories import make_record
from tests.consent.helpers import login

CONSENT_ID = "6f1c1f9e-8a0f-4d0e-9a59-6a1b3a6b0c11"


ROLES = {
    "superuser": {"group": None, "superuser": True},
    "dpo": {"group": "DPO"},
    "marketing": {"group": "Marketing"},
    "staff": {"group": None},
}

# name, method, url (record / query), who gets the success status (others: 403)
PAGES = [
    ("log list", "get", lambda r: reverse("admin:consent_consentrecord_changelist"), {"superuser", "dpo"}),
    ("log detail", "get", lambda r: reverse("admin:consent_consentrecord_change", args=[r.pk]), {"superuser", "dpo"}),
    ("log add", "get", lambda r: reverse("admin:consent_consentrecord_add"), set()),
    ("log delete", "post", lambda r: reverse("admin:consent_consentrecord_delete", args=[r.pk]), set()),
    ("export form", "get", lambda r: reverse("admin:consent_consentrecord_export"), {"superuser", "dpo"}),
    (
        "export file",
        "get",
        lambda r: reverse("admin:consent_consentrecord_export") + "?since=2026-01-01&until=2026-02-01&format=csv",
        {"superuser", "dpo"},
    ),
    ("seals", "get", lambda r: reverse("admin:consent_consentrecord_seals"), {"superuser", "dpo"}),
    ("seals file", "get", lambda r: reverse("admin:consent_consentrecord_seals") + "?format=csv", {"superuser", "dpo"}),
    (
        "look-up",
        "get",
        lambda r: reverse("admin:consent_consentrecord_lookup") + f"?consent_id={CONSENT_ID}",
        {"superuser", "dpo"},
    ),
    (
        "look-up JSON",
        "get",
        lambda r: reverse("admin:consent_consentrecord_lookup") + f"?consent_id={CONSENT_ID}&format=json",
        {"superuser", "dpo"},
    ),
    ("retention", "get", lambda r: reverse("admin:consent_consentrecord_retention"), {"superuser", "dpo"}),
    ("retention run", "post", lambda r: reverse("admin:consent_consentrecord_retention"), {"superuser", "dpo"}),
    ("revisions", "get", lambda r: reverse("admin:consent_policyrevision_changelist"), {"superuser", "dpo"}),
    ("revision add", "get", lambda r: reverse("admin:consent_policyrevision_add"), set()),
    ("bump form", "get", lambda r: reverse("admin:consent_policyrevision_bump"), {"superuser", "dpo"}),
    ("bump", "post", lambda r: reverse("admin:consent_policyrevision_bump"), {"superuser", "dpo"}),
    ("analytics", "get", lambda r: reverse("admin:consent_consentrecord_analytics"), {"superuser", "marketing"}),
    (
        "analytics CSV",
        "get",
        lambda r: reverse("admin:consent_consentrecord_analytics") + "?format=csv",
        {"superuser", "marketing"},
    ),
    ("purposes", "get", lambda r: reverse("admin:consent_purpose_changelist"), {"superuser", "marketing"}),
    ("purpose edit", "get", lambda r: reverse("admin:consent_purpose_change", args=[1]), {"superuser", "marketing"}),
    ("cookie add", "get", lambda r: reverse("admin:consent_cookie_add"), {"superuser", "marketing"}),
    ("providers", "get", lambda r: reverse("admin:consent_provider_changelist"), {"superuser", "marketing"}),
    ("e-mail trackers", "get", lambda r: reverse("admin:consent_emailtracker_changelist"), {"superuser", "marketing"}),
    (
        "undeclared cookies",
        "get",
        lambda r: reverse("admin:consent_undeclaredcookie_changelist"),
        {"superuser", "marketing"},
    ),
]


@pytest.fixture
def record(demo):
    return make_record(consent_id=CONSENT_ID)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("page", "method", "url", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_each_role_reaches_only_its_pages(client, record, role, page, method, url, allowed):
    login(client, **ROLES[role])
    data = {"note": "nouveau traceur LinkedIn"} if page == "bump" else {}
    response = getattr(client, method)(url(record), data)
    if role in allowed:
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert "/login/" not in response["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(("page", "method", "url", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_anonymous_visitors_are_sent_to_the_login_page(client, record, page, method, url, allowed):
    response = getattr(client, method)(url(record))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_role_without_the_staff_flag_cannot_enter_the_admin(client, record):
    user = login(client, "DPO")
    user.is_staff = False
    user.save()
    response = client.get(reverse("admin:consent_consentrecord_changelist"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def _link(name: str) -> str:
    return f'href="{reverse(name)}"'


def test_marketing_sees_the_analytics_link_and_no_consent_log(client, demo):
    login(client, "Marketing")
    response = client.get(reverse("admin:app_list", args=["consent"]))
    assert _link("admin:consent_consentrecord_analytics") in response.text
    assert _link("admin:consent_consentrecord_changelist") not in response.text
    assert _link("admin:consent_consentrecord_lookup") not in response.text


def test_dpo_sees_the_log_tools_and_no_declarations(client, demo):
    login(client, "DPO")
    response = client.get(reverse("admin:app_list", args=["consent"]))
    for name in ("changelist", "lookup", "export", "seals", "retention"):
        assert _link(f"admin:consent_consentrecord_{name}") in response.text
    assert _link("admin:consent_purpose_changelist") not in response.text
    assert _link("admin:consent_consentrecord_analytics") not in response.text


def test_nobody_can_add_change_or_delete_a_record_or_a_revision(client, record):
    login(client, None, superuser=True)
    response = client.get(reverse("admin:consent_consentrecord_change", args=[record.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.text and "deletelink" not in response.text
    revision = PolicyRevision.objects.get()
    assert client.get(reverse("admin:consent_policyrevision_delete", args=[revision.pk])).status_code == 403
    assert (
        client.post(reverse("admin:consent_policyrevision_change", args=[revision.pk]), {"note": "x"}).status_code
        == 403
    )
