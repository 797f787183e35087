"""A policy revision bump from the admin: who, when, why, which banner; every visitor is asked again."""

from django.core.management import call_command
from django.urls import reverse

from consent.models import PolicyRevision
from consent.visitor.cookie import cookie_name
from consent.visitor.snapshot import build_snapshot, get_snapshot
from tests.consent.factories import consent_cookie_value
from tests.consent.helpers import login


def test_bump_records_author_note_and_banner_hash_and_asks_visitors_again(
    client, demo, django_capture_on_commit_callbacks
):
    dpo = login(client, "DPO")
    client.cookies[cookie_name()] = consent_cookie_value(preferences=True, statistics=True, revision=1)
    state_css = reverse("consent:state-css")
    assert client.get(state_css).content == b""  # the visitor's choice counts

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:consent_policyrevision_bump"), {"note": "nouveau traceur LinkedIn"})

    assert response.status_code == 302
    revision = PolicyRevision.objects.latest()
    assert (revision.number, revision.author, revision.note) == (2, dpo, "nouveau traceur LinkedIn")
    assert revision.banner_hash == build_snapshot("test").banner_hash
    assert get_snapshot().revision == 2
    assert client.get(state_css).content == b".cc-banner{display:block}"  # asked again
    client.cookies[cookie_name()] = consent_cookie_value(preferences=True, statistics=True, revision=2)
    assert client.get(state_css).content == b""


def test_cookie_policy_page_shows_the_new_revision(client, demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("bump_policy_revision", "nouveau traceur LinkedIn", stdout=None)
    assert "révision 2" in client.get(reverse("cookie-policy")).text


def test_bump_needs_a_note(client, demo):
    login(client, "DPO")
    response = client.post(reverse("admin:consent_policyrevision_bump"), {"note": ""})
    assert response.status_code == 200
    assert PolicyRevision.objects.count() == 1


def test_revision_list_shows_date_author_and_note(client, demo):
    dpo = login(client, "DPO")
    client.post(reverse("admin:consent_policyrevision_bump"), {"note": "nouveau traceur LinkedIn"})
    page = client.get(reverse("admin:consent_policyrevision_changelist")).text
    assert "nouveau traceur LinkedIn" in page and dpo.username in page and "Première publication" in page
    assert reverse("admin:consent_policyrevision_bump") in page
