"""List filters of the consent log: a range of days, and the site's languages."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from consent.backoffice.periods import day_start


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
            return date.fromisoformat(str(value)) if value else None
        except ValueError as exc:
            raise IncorrectLookupParameters(exc) from exc

    def expected_parameters(self) -> list[str | None]:
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
