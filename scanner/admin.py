"""The scans in the admin: the list with "Scanner le site", each scan's findings by severity, its files.

Marketers (group "Marketing") start scans and declare what they found; the DPO reads and downloads them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from scanner import views
from scanner.models import Finding, ItemType, Kind, Scan, Status
from scanner.requirements import missing_requirements
from scanner.services import close_abandoned_scans


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    can_delete = False
    fields = ("severity", "kind", "item_type", "name", "state_shown", "message_shown", "pages_shown", "declare")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm("scanner.view_scan")  # findings are part of the scan they belong to

    @admin.display(description=_("état"))
    def state_shown(self, finding: Finding) -> str:
        return finding.state_label()

    @admin.display(description=_("constat détaillé"))
    def message_shown(self, finding: Finding) -> str:
        return finding.message()

    @admin.display(description=_("pages"))
    def pages_shown(self, finding: Finding) -> str:
        shown = finding.pages[:5]
        more = len(finding.pages) - len(shown)
        return " ".join(shown) + (f" (+{more})" if more > 0 else "")

    @admin.display(description=_("déclarer"))
    def declare(self, finding: Finding) -> str:
        if finding.kind not in (Kind.UNDECLARED, Kind.UNDECLARED_HOST) or not self._may_declare:
            return ""
        vendor = finding.details.get("catalog")
        if vendor:
            url = reverse("admin:consent_provider_catalog") + "?" + urlencode({"vendor": vendor})
            text = gettext("%(vendor)s : ajouter depuis le catalogue") % {"vendor": finding.details["catalog_name"]}
            return format_html('<a href="{}">{}</a>', url, text)
        if finding.kind == Kind.UNDECLARED_HOST:
            return ""
        return format_html('<a href="{}">{}</a>', declaration_url(finding), gettext("Déclarer"))

    def get_formset(self, request, obj=None, **kwargs):
        # Inline instances are made afresh for each request (ModelAdmin.get_inline_instances).
        self._may_declare = request.user.has_perm("consent.add_cookie")
        return super().get_formset(request, obj, **kwargs)


def declaration_url(finding: Finding) -> str:
    """The admin's form for a new cookie declaration, filled in with what the scan saw."""
    d = finding.details
    initial = {"name": finding.name, "party": d.get("party", "first"), "path": "/"}
    if d.get("provider_id"):
        initial["provider"] = d["provider_id"]
    if finding.item_type == ItemType.COOKIE:
        initial |= {"duration_fr": d.get("observed_fr", ""), "duration_en": d.get("observed_en", "")}
    return reverse("admin:consent_cookie_add") + "?" + urlencode(initial)


@admin.register(Scan)
class ScanAdmin(admin.ModelAdmin):
    list_display = ("started_at", "started_by", "base_url", "status", "progress", "took", "counts")
    list_filter = ("status",)
    list_select_related = ("started_by",)
    fields = ("started_at", "started_by", "base_url", "status", "progress", "took", "error", "pages", "states", "files")
    readonly_fields = fields
    inlines = [FindingInline]

    @admin.display(description=_("avancement"))
    def progress(self, scan: Scan) -> str:
        return gettext("%(done)s / %(total)s visites") % {"done": scan.visits_done, "total": scan.visits_total or "?"}

    @admin.display(description=_("durée"))
    def took(self, scan: Scan) -> str:
        if scan.duration is None:
            return "—"
        return gettext("%(seconds)s s") % {"seconds": round(scan.duration.total_seconds())}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Scan]:
        return super().get_queryset(request).annotate(finding_count=Count("findings"))

    @admin.display(description=_("constats"))
    def counts(self, scan: Scan) -> str:
        return str(scan.finding_count) if scan.status == Status.DONE else "—"  # type: ignore[attr-defined]

    @admin.display(description=_("fichiers"))
    def files(self, scan: Scan) -> str:
        if scan.status != Status.DONE:
            return "—"
        url = reverse("admin:scanner_scan_export", args=[scan.pk])
        return format_html('<a href="{}?format=csv">CSV</a> · <a href="{}?format=json">JSON</a>', url, url)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a scan starts with the list's "Scanner le site" button

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("start/", wrap(self.start_view), name="scanner_scan_start"),
            path("<int:pk>/export/", wrap(self.export_view), name="scanner_scan_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        close_abandoned_scans()  # a scan whose process died says so, and the button comes back
        context = {
            "scan_missing": missing_requirements(),
            "scan_running": Scan.objects.filter(status=Status.RUNNING).first(),
            "scan_base_url": settings.SCAN_BASE_URL,
            "may_scan": request.user.has_perm("scanner.add_scan"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        close_abandoned_scans()
        running = Scan.objects.filter(pk=object_id, status=Status.RUNNING).exists() if object_id.isdigit() else False
        return super().change_view(request, object_id, form_url, {"scan_running": running, **(extra_context or {})})

    def start_view(self, request: HttpRequest) -> HttpResponse:
        return views.start(request)

    def export_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return views.export(request, pk)
