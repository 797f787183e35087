"""The back office's forms: a period of days, an export, a consent ID to look up, a revision's note."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consent.models import PolicyRevision


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("Du (inclus)"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(
        label=_("Au (exclu)"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Jours à l'heure de Paris ; le dernier jour n'est pas compris."),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] <= data["since"]:
            raise forms.ValidationError(gettext("La fin doit suivre le début."))
        if data.get("since") and data.get("until") and data["until"] - data["since"] > timedelta(days=3 * 366):
            raise forms.ValidationError(gettext("Trois ans au plus."))
        return data


class ExportForm(PeriodForm):
    format = forms.ChoiceField(label=_("Format"), choices=[("csv", "CSV"), ("jsonl", "JSON Lines")])


class LookupForm(forms.Form):
    consent_id = forms.UUIDField(label=_("Identifiant de consentement"))


class BumpForm(forms.Form):
    note = forms.CharField(
        label=_("Ce qui change"),
        max_length=PolicyRevision._meta.get_field("note").max_length,
        help_text=_("Par exemple « nouveau traceur LinkedIn ». Tous les visiteurs seront réinterrogés."),
    )
