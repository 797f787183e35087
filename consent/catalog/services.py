"""Declaring a vendor from the catalog in one step: its provider, its cookies and its held tag."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext

from consent.catalog.types import Vendor
from consent.models import Cookie, Party, Placement, Provider, Purpose, VendorTag


class CatalogRefused(ValueError):
    """A value the vendor's snippet cannot take; the message says which and what shape it needs."""


@dataclass(frozen=True)
class Added:
    tag: VendorTag
    cookies_created: int
    cookies_kept: int  # already declared under this provider


def check_values(vendor: Vendor, values: dict[str, str]) -> dict[str, str]:
    """The values for each placeholder of ``vendor``, each of the shape its vendor gives; else CatalogRefused."""
    checked = {}
    for placeholder in vendor.placeholders:
        value = (values.get(placeholder.marker) or "").strip()
        if not placeholder.is_valid(value):
            raise CatalogRefused(
                gettext("« %(label)s » doit ressembler à « %(example)s ».")
                % {"label": placeholder.label_fr, "example": placeholder.example}
            )
        checked[placeholder.marker] = value
    return checked


@transaction.atomic
def add_from_catalog(*, vendor: Vendor, values: dict[str, str], placement: str = Placement.BODY) -> Added:
    """Creates (or completes) the vendor's provider, declares its cookies and storage keys under their
    purposes and adds its snippet, held for its purpose on every page; a policy revision then shows it
    to the visitors."""
    values = check_values(vendor, values)
    provider, _created = Provider.objects.get_or_create(name=vendor.name)
    provider.privacy_policy_url = provider.privacy_policy_url or vendor.privacy_url
    provider.legal_name = vendor.legal_name
    provider.country = vendor.country
    provider.data_location = vendor.data_location
    provider.transfer_basis = vendor.transfer_basis
    known = provider.domains()
    provider.hosts = ", ".join([*known, *(host for host in vendor.hosts if host not in known)])
    provider.save()
    purposes = {purpose.slug: purpose for purpose in Purpose.objects.all()}
    created = kept = 0
    for tracker in vendor.trackers:
        _cookie, made = Cookie.objects.get_or_create(
            provider=provider,
            name=tracker.name,
            path="/",
            defaults={
                "purpose": purposes[tracker.purpose],
                "description_fr": tracker.description_fr,
                "description_en": tracker.description_en,
                "duration_fr": tracker.duration_fr,
                "duration_en": tracker.duration_en,
                "party": Party.THIRD if tracker.third_party else Party.FIRST,
            },
        )
        created, kept = created + made, kept + (not made)
    tag = VendorTag.objects.create(
        provider=provider,
        purpose=purposes[vendor.purpose],
        vendor=vendor.slug,
        values=values,
        html=vendor.filled(values),
        placement=placement,
    )
    return Added(tag=tag, cookies_created=created, cookies_kept=kept)
