"""Admin pages for tracking consent: a recipient's history for the DPO (CSV or JSON), and the import
of consents that marketers gathered elsewhere, with their evidence.

Each view checks its own permission; the admin site has already checked the staff flag.
"""

from __future__ import annotations

import csv
import io
import json
import logging

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from exports.cells import neutralise
from tracking.consents import TEXT_VERSION, import_tracking_consents
from tracking.models import Recipient, TrackingConsent

logger = logging.getLogger(__name__)

FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
HISTORY_FIELDS = (
    "recorded_at",
    "given",
    "source",
    "text",
    "text_version",
    "language",
    "message_id",
    "evidence",
    "recorded_by",
)
MAX_IMPORTED_ADDRESSES = 5000


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def consent_history(recipient: Recipient) -> list[dict[str, object]]:
    """A recipient's grants and withdrawals, oldest first, as the DPO hands them over."""
    rows = TrackingConsent.objects.filter(recipient=recipient).order_by("recorded_at", "id").values(*HISTORY_FIELDS)
    return [{**row, "recorded_at": row["recorded_at"].isoformat()} for row in rows]


@require_safe
def export_consent_history(request: HttpRequest, recipient_id: int, fmt: str) -> HttpResponse:
    """One recipient's tracking consent history, as CSV (spreadsheet-safe cells) or JSON."""
    _require(request, "tracking.export_trackingconsent")
    if fmt not in FORMATS:
        raise Http404
    recipient = get_object_or_404(Recipient, pk=recipient_id)
    history = consent_history(recipient)
    logger.info("tracking consent history exported", extra={"user_id": request.user.pk, "format": fmt})
    if fmt == "json":
        body = json.dumps({"email": recipient.email, "tracking_consents": history}, ensure_ascii=False, indent=2)
    else:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["email", *HISTORY_FIELDS])
        for row in history:
            writer.writerow([neutralise(value) for value in (recipient.email, *row.values())])
        body = out.getvalue()
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="tracking-consents-{recipient.pk}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


class ImportForm(forms.Form):
    addresses = forms.CharField(
        label=_("adresses e-mail"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Une adresse par ligne : les personnes qui ont donné leur accord au suivi."),
    )
    text = forms.CharField(
        label=_("texte qu'elles ont accepté"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Le texte exact de la case ou du formulaire, dans la langue où elles l'ont lu."),
    )
    text_version = forms.CharField(label=_("version du texte"), max_length=40, initial=TEXT_VERSION)
    evidence = forms.CharField(
        label=_("preuve"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Où se trouve la preuve de chaque accord : formulaire signé, export daté d'un outil, lien."),
    )

    def clean_addresses(self) -> list[str]:
        addresses = sorted(
            {line.strip().lower() for line in self.cleaned_data["addresses"].splitlines() if line.strip()}
        )
        if len(addresses) > MAX_IMPORTED_ADDRESSES:
            raise forms.ValidationError(
                _("Au plus %(max)d adresses par import."), params={"max": MAX_IMPORTED_ADDRESSES}
            )
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                raise forms.ValidationError(_("Adresse invalide : %(address)s"), params={"address": address}) from None
        return addresses


@require_http_methods(["GET", "HEAD", "POST"])
def import_consents(request: HttpRequest, admin: ModelAdmin) -> HttpResponse:
    """Marketers enter consents gathered elsewhere; a recipient who withdrew is left as they are."""
    _require(request, "tracking.add_trackingconsent")
    form = ImportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = import_tracking_consents(
            emails=data["addresses"],
            evidence=data["evidence"],
            text=data["text"],
            text_version=data["text_version"],
            recorded_by=request.user.get_username(),
        )
        logger.info("tracking consents imported", extra={"user_id": request.user.pk, "changed": changed})
        messages.success(
            request,
            gettext("%(changed)d accord(s) enregistré(s) sur %(total)d adresse(s).")
            % {"changed": changed, "total": len(data["addresses"])},
        )
        return HttpResponseRedirect(reverse("admin:tracking_trackingconsent_changelist"))
    context = {
        **admin.admin_site.each_context(request),
        "opts": admin.opts,
        "title": gettext("Importer des accords au suivi"),
        "form": form,
    }
    return render(request, "tracking/backoffice/import.html", context)
