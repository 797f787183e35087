"""The admin names noCRM.io and its front page leads each role to its back-office pages."""

from django.contrib.auth.models import Permission, User

from tests.html import attribute_values, elements


def test_the_admin_names_the_product(admin_client):
    html = admin_client.get("/admin/").text
    [title] = elements(html, "title")
    assert "noCRM.io" in title.text and "Django" not in title.text
    assert "Administration de Django" not in html
    assert "noCRM.io — back-office" in html


def test_a_superuser_sees_the_pages_of_every_role(admin_client):
    html = admin_client.get("/admin/").text
    links = attribute_values(html, "a", "href")
    for path in (
        "/admin/consent/consentrecord/analytics/",
        "/admin/consent/consentrecord/lookup/",
        "/admin/consent/purpose/",
        "/admin/leads/lead/",
        "/admin/tracking/message/",
    ):
        assert path in links


def test_a_marketer_sees_the_declarations_and_not_the_log(client, db):
    marketer = User.objects.create_user("marketer", password="pw-marketer-1234", is_staff=True)
    marketer.user_permissions.add(*Permission.objects.filter(codename__in=["view_purpose", "view_cookie"]))
    client.force_login(marketer)
    html = client.get("/admin/").text
    assert elements(html, "div", id="backoffice-marketing")
    assert not elements(html, "div", id="backoffice-dpo")
    assert "/admin/consent/consentrecord/analytics/" not in attribute_values(html, "a", "href")
