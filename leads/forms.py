"""The contact / demo-request form: bounded fields, a honeypot, and the FriendlyCaptcha check."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from leads import captcha
from leads.models import MESSAGE_MAX_LENGTH, CaptchaStatus, Lead, LeadSource, TeamSize
from tracking.consents import CONSENT_TEXT

# Single-line fields never contain control characters (line breaks would reach e-mail headers).
single_line = RegexValidator(
    r"[\x00-\x1f\x7f]", inverse_match=True, message=_("Une seule ligne, sans caractères spéciaux.")
)

HONEYPOT_FIELD = "website"
# Fields the home page's short form may prefill on the contact page (a POST to leads:prefill).
PREFILL_FIELDS = ("name", "email", "company", "team_size", "source")


class LeadForm(forms.Form):
    name = forms.CharField(
        label=_("Nom et prénom"),
        max_length=Lead._meta.get_field("name").max_length,
        validators=[single_line],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail professionnel"),
        max_length=Lead._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    company = forms.CharField(
        label=_("Entreprise"),
        max_length=Lead._meta.get_field("company").max_length,
        validators=[single_line],
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    team_size = forms.ChoiceField(label=_("Taille de l'équipe commerciale"), choices=[("", "—"), *TeamSize.choices])
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Facultatif : vos questions, votre outil actuel, le bon moment pour vous rappeler."),
    )
    marketing_opt_in = forms.BooleanField(
        label=_("J'accepte de recevoir les e-mails d'information de noCRM.io (désinscription en un clic)."),
        required=False,
    )
    # Unticked by default, separate from the e-mails themselves (the CNIL's recommendation on pixels):
    # its label is the text stored with the consent record.
    email_tracking_opt_in = forms.BooleanField(label=CONSENT_TEXT, required=False)
    source = forms.TypedChoiceField(
        choices=LeadSource.choices, initial=LeadSource.CONTACT, required=False, widget=forms.HiddenInput
    )
    # Invisible to people (hidden container, not focusable); bots that fill every input give themselves away.
    website = forms.CharField(
        label=_("Ne pas remplir ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    captcha_status: CaptchaStatus | None = None

    @classmethod
    def prefill(cls, query: QueryDict) -> dict[str, str]:
        """Initial values passed from the home page's short form, bounded like the fields."""
        return {name: str(query[name])[:254] for name in PREFILL_FIELDS if query.get(name)}

    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The captcha is checked last, once every field is valid: a solution is single-use, and a
        # refusal must not hide the field errors a visitor can fix.
        if not self.errors:
            self.captcha_status = self._check_captcha()
        return cleaned

    def _check_captcha(self) -> CaptchaStatus | None:
        if not captcha.is_enabled():
            return CaptchaStatus.DISABLED
        response = self.data.get(captcha.RESPONSE_FIELD, "")
        if not response:
            self.add_error(
                None,
                _(
                    "La vérification anti-robot n'est pas terminée : "
                    "patientez quelques secondes et renvoyez le formulaire."
                ),
            )
            return None
        verification = captcha.verify(response[:4096])
        if not verification.accepted:
            self.add_error(
                None,
                _(
                    "La vérification anti-robot a échoué ou a expiré. "
                    "Patientez quelques secondes et renvoyez le formulaire."
                ),
            )
            return None
        if verification.outcome is captcha.Outcome.ACCEPTED:
            return CaptchaStatus.VERIFIED
        return CaptchaStatus.NOT_VERIFIED

    def lead_fields(self) -> dict[str, Any]:
        """The keyword arguments of ``services.submit_lead`` (after ``is_valid()``)."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "email": data["email"],
            "company": data["company"],
            "team_size": data["team_size"],
            "message": data["message"],
            "marketing_opt_in": data["marketing_opt_in"],
            "email_tracking_opt_in": data["email_tracking_opt_in"],
            "source": data["source"] or LeadSource.CONTACT,
            "captcha_status": self.captcha_status,
        }
