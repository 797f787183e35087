from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cdn import worker
from cdn.models import Purge
from cdn.services import retry_purges


@admin.register(Purge)
class PurgeAdmin(admin.ModelAdmin):
    """The purges of the cache in front of the site: those that failed say why, and can be sent again."""

    list_display = ["created_at", "backend", "endpoint", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["status", "backend"]
    readonly_fields = [f.name for f in Purge._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Purger à nouveau"), permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Purge]) -> None:
        count = retry_purges(queryset)
        if count:
            worker.kick()
        self.message_user(
            request, ngettext("%d purge renvoyée.", "%d purges renvoyées.", count) % count, messages.SUCCESS
        )
