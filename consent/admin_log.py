"""Admin for the DPO: the consent log (read-only, fast at millions of rows) and policy revisions.

The pages beyond Django's list and detail (export, look-up, retention, analytics, revision bump)
are in consent/backoffice_views.py; each checks its own permission (see the roles in migration 0004).
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from functools import cached_property

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from consent import backoffice_views as views
from consent.models import ConsentRecord, PolicyRevision
from consent.periods import day_start


class EstimatedCountPaginator(Paginator):
    """Counts exactly up to ``exact_up_to`` rows; past that, takes the planner's estimate.

    A COUNT(*) of millions of rows takes seconds; the admin only needs the order of magnitude.
    """

    exact_up_to = 10_000

    @cached_property
    def count(self) -> int:
        exact = self.object_list[: self.exact_up_to + 1].count()
        if exact <= self.exact_up_to:
            return exact
        plan = json.loads(self.object_list.order_by().explain(format="json"))
        return max(int(plan[0]["Plan"]["Plan Rows"]), exact)


class DateRangeFilter(admin.FieldListFilter):
    """From a day (inclusive) to a day (exclusive), days in the site's time zone."""

    template = "admin/consent/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path) -> None:
        self.since_param, self.until_param = f"{field_path}__since", f"{field_path}__until"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.bounds = {key: self._parse(key) for key in (self.since_param, self.until_param)}

    def _parse(self, key: str) -> date | None:
        value = self.used_parameters.get(key)
        value = value[-1] if isinstance(value, list) else value
        try:
            return date.fromisoformat(value) if value else None
        except ValueError as exc:
            raise IncorrectLookupParameters(exc) from exc

    def expected_parameters(self) -> list[str]:
        return [self.since_param, self.until_param]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        since, until = self.bounds[self.since_param], self.bounds[self.until_param]
        if since:
            queryset = queryset.filter(**{f"{self.field_path}__gte": day_start(since)})
        if until:
            queryset = queryset.filter(**{f"{self.field_path}__lt": day_start(until)})
        return queryset

    def choices(self, changelist):
        yield {
            "since": self.bounds[self.since_param] or "",
            "until": self.bounds[self.until_param] or "",
            "since_param": self.since_param,
            "until_param": self.until_param,
            "hidden": [
                (key, value)
                for key, values in changelist.get_filters_params().items()
                if key not in self.expected_parameters()
                for value in (values if isinstance(values, list) else [values])
            ],
            "reset_url": changelist.get_query_string(remove=self.expected_parameters()),
        }


class LanguageFilter(admin.SimpleListFilter):
    """The site's languages, without a SELECT DISTINCT over the whole log."""

    title = _("langue")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return settings.LANGUAGES

    def queryset(self, request, queryset):
        return queryset.filter(language=self.value()) if self.value() else queryset


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = (
        "decided_at",
        "consent_id",
        "action",
        "preferences",
        "statistics",
        "advertising",
        "gpc",
        "language",
        "source",
        "policy_revision",
    )
    list_filter = (
        ("decided_at", DateRangeFilter),
        "action",
        "preferences",
        "statistics",
        "advertising",
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
            path("lookup/", wrap(self.lookup_view), name="consent_consentrecord_lookup"),
            path("retention/", wrap(self.retention_view), name="consent_consentrecord_retention"),
            path("analytics/", wrap(self.analytics_view), name="consent_consentrecord_analytics"),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        return views.export_log(request, self.admin_site)

    def lookup_view(self, request: HttpRequest) -> HttpResponse:
        return views.lookup_consent(request, self.admin_site)

    def retention_view(self, request: HttpRequest) -> HttpResponse:
        return views.retention_page(request, self.admin_site)

    def analytics_view(self, request: HttpRequest) -> HttpResponse:
        return views.analytics_page(request, self.admin_site)


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
        return views.bump_revision(request, self.admin_site)
