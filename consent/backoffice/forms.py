"""The back office's forms: a period of days, an export, a consent ID to look up, a receipt to check, a
revision's note."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consent.models import OPTIONAL_PURPOSES, PolicyRevision, PurposeSlug


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("Du (inclus)"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(
        label=_("Au (exclu)"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Jours à l'heure de Paris ; le dernier jour n'est pas compris."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["until"] <= data["since"]:
            raise forms.ValidationError(gettext("La fin doit suivre le début."))
        if data.get("since") and data.get("until") and data["until"] - data["since"] > timedelta(days=3 * 366):
            raise forms.ValidationError(gettext("Trois ans au plus."))
        return data


class ExportForm(PeriodForm):
    format = forms.ChoiceField(label=_("Format"), choices=[("csv", "CSV"), ("jsonl", "JSON Lines")])


class LookupForm(forms.Form):
    consent_id = forms.UUIDField(label=_("Identifiant de consentement"))


RECEIPT_MAX_BYTES = 256 * 1024  # a receipt is a few kilobytes


class ReceiptForm(forms.Form):
    receipt = forms.FileField(
        label=_("Reçu de consentement (JSON)"),
        help_text=_("Le fichier qu'un visiteur a téléchargé depuis « Paramètres des cookies ». Rien n'est enregistré."),
    )

    def clean_receipt(self) -> bytes:
        upload = self.cleaned_data["receipt"]
        if upload.size > RECEIPT_MAX_BYTES:
            raise forms.ValidationError(gettext("Ce fichier est bien trop grand pour être un reçu de consentement."))
        return upload.read()


class BumpForm(forms.Form):
    note = forms.CharField(
        label=_("Ce qui change"),
        max_length=PolicyRevision._meta.get_field("note").max_length,
        help_text=_("Par exemple « nouveau traceur LinkedIn »."),
    )
    reask = forms.ChoiceField(
        label=_("Qui est réinterrogé"),
        choices=[
            ("purposes", _("Les visiteurs qui avaient accepté l'une des finalités cochées ci-dessous")),
            ("everyone", _("Tous les visiteurs, y compris ceux qui avaient refusé")),
        ],
        widget=forms.RadioSelect,
        required=False,  # a form that says nothing asks everyone again
        help_text=_(
            "Un refus reste valable quand une finalité gagne un traceur : on ne redemande que si la "
            "révision l'exige (nouvelle finalité, texte du bandeau changé)."
        ),
    )
    purposes = forms.MultipleChoiceField(
        label=_("Finalités dont les déclarations changent"),
        choices=[(p, PurposeSlug(p).label) for p in OPTIONAL_PURPOSES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reask") == "purposes" and not data.get("purposes"):
            raise forms.ValidationError(gettext("Cochez au moins une finalité, ou réinterrogez tout le monde."))
        return data

    def reask_purposes(self) -> list[str] | None:
        """None: everyone is asked again; else the purposes whose visitors who granted them are."""
        return self.cleaned_data["purposes"] if self.cleaned_data.get("reask") == "purposes" else None
