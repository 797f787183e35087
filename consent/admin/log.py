"""Admin for the DPO: the consent log (read-only, fast at millions of rows) and policy revisions.

The pages beyond Django's list and detail (export, seals, look-up, retention, analytics, revision bump)
are in consent/backoffice/views.py; each checks its own permission (see the roles in migration 0004).
"""

from __future__ import annotations

import json
import uuid
from functools import cached_property

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from consent.admin.filters import DateRangeFilter, LanguageFilter
from consent.backoffice import views
from consent.models import OPTIONAL_PURPOSES, ConsentRecord, PolicyRevision


class EstimatedCountPaginator(Paginator):
    """Counts exactly up to ``exact_up_to`` rows; past that, takes the planner's estimate.

    A COUNT(*) of millions of rows takes seconds; the admin only needs the order of magnitude.
    """

    exact_up_to = 10_000

    @cached_property
    def count(self) -> int:
        exact = self.object_list[: self.exact_up_to + 1].count()  # type: ignore[attr-defined]  # a QuerySet
        if exact <= self.exact_up_to:
            return exact
        plan = json.loads(self.object_list.order_by().explain(format="json"))  # type: ignore[attr-defined]
        return max(int(plan[0]["Plan"]["Plan Rows"]), exact)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = (
        "decided_at",
        "consent_id",
        "action",
        *OPTIONAL_PURPOSES,
        "gpc",
        "language",
        "source",
        "policy_revision",
    )
    list_filter = (
        ("decided_at", DateRangeFilter),
        "action",
        *OPTIONAL_PURPOSES,
        LanguageFilter,
        "source",
        "gpc",
    )
    search_fields = ("consent_id",)
    search_help_text = _("Identifiant de consentement (ou de décision) complet, tel que le visiteur le donne.")
    ordering = ("-decided_at", "-id")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    actions = None

    def get_search_results(self, request, queryset, search_term):
        # An exact UUID match uses the indexes; a text search over UUIDs would scan millions of rows.
        if not search_term.strip():
            return queryset, False
        try:
            wanted = uuid.UUID(search_term.strip())
        except ValueError:
            return queryset.none(), False
        return queryset.filter(Q(consent_id=wanted) | Q(decision_id=wanted)), False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("export/", wrap(self.export_view), name="consent_consentrecord_export"),
            path("seals/", wrap(self.seals_view), name="consent_consentrecord_seals"),
            path("lookup/", wrap(self.lookup_view), name="consent_consentrecord_lookup"),
            path(
                "banner/<str:banner_hash>/",
                wrap(self.banner_version_view),
                name="consent_consentrecord_banner",
            ),
            path("retention/", wrap(self.retention_view), name="consent_consentrecord_retention"),
            path("analytics/", wrap(self.analytics_view), name="consent_consentrecord_analytics"),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponseBase:
        return views.export_log(request, self)

    def seals_view(self, request: HttpRequest) -> HttpResponse:
        return views.seals_page(request, self)

    def lookup_view(self, request: HttpRequest) -> HttpResponse:
        return views.lookup_consent(request, self)

    def banner_version_view(self, request: HttpRequest, banner_hash: str) -> HttpResponse:
        return views.banner_version(request, self, banner_hash)

    def retention_view(self, request: HttpRequest) -> HttpResponse:
        return views.retention_page(request, self)

    def analytics_view(self, request: HttpRequest) -> HttpResponse:
        return views.analytics_page(request, self)


@admin.register(PolicyRevision)
class PolicyRevisionAdmin(admin.ModelAdmin):
    list_display = ("number", "created_at", "author", "note", "short_hash")
    list_select_related = ("author",)
    fields = ("number", "created_at", "author", "note", "banner_hash")

    @admin.display(description=_("empreinte du bandeau"))
    def short_hash(self, revision: PolicyRevision) -> str:
        return revision.banner_hash[:12]

    def has_add_permission(self, request) -> bool:
        return False  # a revision is published with the bump page, which fills in the rest

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        bump = self.admin_site.admin_view(self.bump_view)
        return [path("bump/", bump, name="consent_policyrevision_bump"), *super().get_urls()]

    def bump_view(self, request: HttpRequest) -> HttpResponse:
        return views.bump_revision(request, self)
