"""Form data and rows for the leads tests."""

from __future__ import annotations

from leads.models import CaptchaStatus, Lead


def lead_post(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Camille Martin",
        "email": "camille@acme.example",
        "company": "Acme",
        "team_size": "6-20",
        "message": "Nous voulons une démo jeudi.",
        "source": "contact",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_lead(**fields: object) -> Lead:
    values: dict[str, object] = {
        "name": "Camille Martin",
        "email": "camille@acme.example",
        "company": "Acme",
        "team_size": "6-20",
        "message": "Bonjour",
        "captcha_status": CaptchaStatus.VERIFIED,
        "language": "fr",
    }
    values.update(fields)
    return Lead.objects.create(**values)
