"""Back-office pages in the admin: export, seals, look-up by consent ID (and receipt check), retention,
analytics, revision bump.

Each view checks its own permission; the admin site has already checked the staff flag.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_safe

from consent.backoffice import analytics as stats
from consent.backoffice import charts, export
from consent.backoffice.forms import BumpForm, ExportForm, LookupForm, PeriodForm, ReceiptForm
from consent.backoffice.periods import day_start, last_days
from consent.backoffice.receipts import ReceiptError, check_receipt, seal_sentence, sentence
from consent.backoffice.retention import enforced_cutoff, purge_consents
from consent.backoffice.revisions import bump_policy_revision, declaration_changes
from consent.backoffice.rollup import settled_until
from consent.backoffice.seals import seals_csv, seals_json
from consent.models import OPTIONAL_PURPOSES, BannerVersion, ConsentRecord, DaySeal, PolicyRevision, PurposeSlug
from consent.visitor.snapshot import get_snapshot

logger = logging.getLogger(__name__)


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _page(request: HttpRequest, admin: ModelAdmin, template: str, title: str, **context: object) -> HttpResponse:
    """A back-office page inside the admin of the model it belongs to (breadcrumbs, permissions)."""
    return render(
        request,
        f"consent/backoffice/{template}.html",
        {**admin.admin_site.each_context(request), "opts": admin.opts, "title": title, **context},
    )


def _period(request: HttpRequest, form_class: type[PeriodForm] = PeriodForm, days: int = 30) -> PeriodForm:
    since, until = last_days(days)
    return form_class(request.GET or None, initial={"since": since, "until": until})


@require_safe
def export_log(request: HttpRequest, admin: ModelAdmin) -> HttpResponseBase:
    """The log between two days, streamed as CSV or JSON Lines."""
    _require(request, "consent.export_consentrecord")
    form = _period(request, ExportForm)
    if not form.is_valid():
        return _page(request, admin, "export", gettext("Exporter le journal"), form=form)
    fmt = form.cleaned_data["format"]
    start, end = day_start(form.cleaned_data["since"]), day_start(form.cleaned_data["until"])
    logger.info(
        "consent log exported",
        extra={"user_id": request.user.pk, "since": start.isoformat(), "until": end.isoformat(), "format": fmt},
    )
    response = StreamingHttpResponse(export.stream_export(fmt, start, end), content_type=export.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{export.filename(fmt, start, end)}"'
    return response


@require_safe
def seals_page(request: HttpRequest, admin: ModelAdmin) -> HttpResponse:
    """The daily seals of the log; ``?format=csv`` or ``json`` for the file the DPO keeps off-site."""
    _require(request, "consent.export_consentrecord")
    seals = DaySeal.objects.order_by("day")
    fmt = request.GET.get("format")
    if fmt in ("csv", "json"):
        logger.info("consent seals exported", extra={"user_id": request.user.pk, "format": fmt})
        if fmt == "csv":
            response = HttpResponse(seals_csv(seals), content_type="text/csv; charset=utf-8")
        else:
            response = JsonResponse(seals_json(seals), json_dumps_params={"indent": 2})
        response["Content-Disposition"] = f'attachment; filename="sceaux_consentements_{timezone.localdate()}.{fmt}"'
        return response
    return _page(
        request,
        admin,
        "seals",
        gettext("Sceaux journaliers"),
        first=seals.first(),
        last=seals.last(),
        count=seals.count(),
        settled=settled_until(),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def lookup_consent(request: HttpRequest, admin: ModelAdmin) -> HttpResponse:
    """Every decision of one consent ID; ``?format=json`` gives the document to send to the visitor.

    A POST checks a receipt a visitor sent (signature, key, record, fields, seal); nothing is stored.
    """
    _require(request, "consent.view_consentrecord")
    if request.method == "POST":
        return _check_receipt(request, admin)
    form = LookupForm(request.GET or None)
    if not form.is_valid():
        return _page(
            request, admin, "lookup", gettext("Historique d'un identifiant"), form=form, receipt_form=ReceiptForm()
        )
    consent_id: uuid.UUID = form.cleaned_data["consent_id"]
    if request.GET.get("format") == "json":
        _require(request, "consent.export_consentrecord")
        response = JsonResponse(export.consent_history(consent_id), json_dumps_params={"indent": 2})
        response["Content-Disposition"] = f'attachment; filename="consentement_{consent_id}.json"'
        return response
    # One column per optional purpose, in the order of OPTIONAL_PURPOSES.
    records = [
        (r, [getattr(r, p) for p in OPTIONAL_PURPOSES]) for r in ConsentRecord.objects.for_consent_id(consent_id)
    ]
    return _page(
        request,
        admin,
        "lookup",
        gettext("Historique d'un identifiant"),
        form=form,
        records=records,
        purpose_labels=[PurposeSlug(p).label for p in OPTIONAL_PURPOSES],
        consent_id=consent_id,
        receipt_form=ReceiptForm(),
    )


def _check_receipt(request: HttpRequest, admin: ModelAdmin) -> HttpResponse:
    receipt_form = ReceiptForm(request.POST, request.FILES)
    context: dict[str, object] = {"form": LookupForm(), "receipt_form": receipt_form}
    status = 200
    if receipt_form.is_valid():
        try:
            checked = check_receipt(receipt_form.cleaned_data["receipt"])
        except ReceiptError as exc:
            context["verdict"], status = str(exc), 400
        else:
            context.update(verdict=sentence(checked), checked=checked, seal=seal_sentence(checked))
            status = 200 if checked.genuine else 400
    else:
        status = 400
    logger.info("consent receipt checked", extra={"user_id": request.user.pk, "status": status})
    response = _page(request, admin, "lookup", gettext("Historique d'un identifiant"), **context)
    response.status_code = status
    return response


@require_safe
def banner_version(request: HttpRequest, admin: ModelAdmin, banner_hash: str) -> HttpResponse:
    """The banner and settings dialog of one stored version, as the visitors who chose on it saw them.

    Shown inert: the page may run no script and submit no form (CSP sandbox).
    """
    _require(request, "consent.view_consentrecord")
    version = get_object_or_404(BannerVersion, hash=banner_hash)
    response = render(request, "consent/backoffice/banner_version.html", {"version": version})
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'self'; img-src 'self'"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def retention_page(request: HttpRequest, admin: ModelAdmin) -> HttpResponse:
    """What the purge would remove, and a button to run it now (it also runs from cron)."""
    _require(request, "consent.purge_consentrecord")
    if request.method == "POST":
        purge = purge_consents()
        logger.info("consent purge run from the admin", extra={"user_id": request.user.pk, "deleted": purge.count})
        messages.success(request, gettext("%(count)d enregistrements supprimés.") % {"count": purge.count})
        return HttpResponseRedirect(reverse(f"{admin.admin_site.name}:consent_consentrecord_retention"))
    cutoff = enforced_cutoff()  # what the purge would delete before, as the database enforces it
    return _page(
        request,
        admin,
        "retention",
        gettext("Durée de conservation"),
        days=settings.CONSENT_LOG_RETENTION_DAYS,
        cutoff=cutoff,
        expired=ConsentRecord.objects.older_than(cutoff).count(),
    )


@require_safe
def analytics_page(request: HttpRequest, admin: ModelAdmin) -> HttpResponse:
    """Shares of each action and opt-in rates per purpose, day by day; ``?format=csv`` for the figures."""
    _require(request, "consent.view_consent_analytics")
    form = _period(request)
    since, until = last_days(30)
    if form.is_bound and form.is_valid():
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    days = stats.daily(day_start(since), day_start(until))
    if request.GET.get("format") == "csv":
        response = HttpResponse(stats.to_csv(days), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="statistiques_{since}_{until}.csv"'
        return response
    labels: dict[str, str] = {
        **{a: str(a.label) for a in stats.ACTIONS},
        **{p: str(PurposeSlug(p).label) for p in OPTIONAL_PURPOSES},
    }
    total = stats.total(days)
    shares = [total.share(a) for a in stats.ACTIONS] + [total.opt_in(p) for p in OPTIONAL_PURPOSES] if total else []
    return _page(
        request,
        admin,
        "analytics",
        gettext("Statistiques de consentement"),
        form=form,
        total=total,
        headings=[labels[k] for k in (*stats.ACTIONS, *OPTIONAL_PURPOSES)],
        total_shares=[f"{number_format(s * 100, 1)} %" for s in shares],
        action_chart=charts.action_chart(days, gettext("Répartition des décisions par jour")),
        action_legend=charts.legend(stats.ACTIONS, labels),
        opt_in_chart=charts.opt_in_chart(days, gettext("Taux de consentement par finalité et par jour")),
        opt_in_legend=charts.legend(OPTIONAL_PURPOSES, labels),
        csv_query=f"since={since}&until={until}&format=csv",
    )


@require_http_methods(["GET", "HEAD", "POST"])
def bump_revision(request: HttpRequest, admin: ModelAdmin) -> HttpResponse:
    """Publish a new policy revision with a note; the visitors it names are asked again."""
    _require(request, "consent.bump_policyrevision")
    changes = declaration_changes(get_snapshot())
    changed = [c.purpose for c in changes]
    initial = {"reask": "purposes", "purposes": changed} if changed else {"reask": "everyone"}
    form = BumpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        revision = bump_policy_revision(
            author=request.user,  # type: ignore[arg-type]  # the admin lets in signed-in staff only
            note=form.cleaned_data["note"],
            reask_purposes=form.reask_purposes(),
        )
        messages.success(request, gettext("Révision %(number)d publiée.") % {"number": revision.number})
        return HttpResponseRedirect(reverse(f"{admin.admin_site.name}:consent_policyrevision_changelist"))
    current = PolicyRevision.objects.order_by("-number").first()
    return _page(
        request, admin, "bump", gettext("Publier une nouvelle révision"), form=form, current=current, changes=changes
    )
