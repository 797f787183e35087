"""Admin for sales: the leads, filterable, exportable to CSV; read-only (they are what visitors sent)."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from exports.cells import neutralise
from leads import captcha
from leads.models import Lead

CSV_COLUMNS = [
    "created_at",
    "name",
    "email",
    "company",
    "team_size",
    "marketing_opt_in",
    "captcha_status",
    "source",
    "language",
    "message",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "name",
        "company",
        "email",
        "team_size",
        "marketing_opt_in",
        "captcha_status",
        "message_excerpt",
    )
    list_filter = ("created_at", "marketing_opt_in", "captcha_status", "team_size", "source")
    date_hierarchy = "created_at"
    search_fields = ("name", "email", "company")
    readonly_fields = [field.name for field in Lead._meta.fields if field.name != "id"]
    actions = ["export_csv"]

    @admin.display(description=_("message"))
    def message_excerpt(self, lead: Lead) -> str:
        return Truncator(lead.message).chars(80)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if not captcha.is_enabled():
            self.message_user(
                request,
                _(
                    "FriendlyCaptcha est désactivé (FRIENDLY_CAPTCHA_SITEKEY ou FRIENDLY_CAPTCHA_API_KEY manquant) : "
                    "les nouvelles demandes ne sont pas protégées contre les robots."
                ),
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Exporter en CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Lead]) -> StreamingHttpResponse:
        writer = csv.writer(_Echo())

        def rows() -> Iterator[str]:
            yield writer.writerow(CSV_COLUMNS)
            for lead in queryset.order_by("created_at").iterator(chunk_size=500):
                values = [getattr(lead, column) for column in CSV_COLUMNS]
                values[0] = timezone.localtime(lead.created_at).isoformat(timespec="seconds")
                yield writer.writerow([neutralise(value) for value in values])

        filename = f"leads-{timezone.localdate():%Y-%m-%d}.csv"
        return StreamingHttpResponse(
            rows(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
