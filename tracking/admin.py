"""Admin for marketers: messages with their statistics, recipients and their subscription, events."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from tracking.models import Event, Message, Recipient


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "created_at",
        "opens_people",
        "opens_machines",
        "clicks_people",
        "clicks_machines",
        "unsubscribes",
    )
    list_filter = ("kind",)
    search_fields = ("name", "subject")
    fields = ("name", "subject", "template", "kind", "created_at", "statistics", "clicks_per_link")
    readonly_fields = ("created_at", "statistics", "clicks_per_link")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        return super().get_queryset(request).with_stats()

    @admin.display(description=_("ouvertures (personnes)"), ordering="opens_people")
    def opens_people(self, message: Message) -> int:
        return message.opens_people

    @admin.display(description=_("ouvertures (machines)"), ordering="opens_machines")
    def opens_machines(self, message: Message) -> int:
        return message.opens_machines

    @admin.display(description=_("clics (personnes)"), ordering="clicks_people")
    def clicks_people(self, message: Message) -> int:
        return message.clicks_people

    @admin.display(description=_("clics (machines)"), ordering="clicks_machines")
    def clicks_machines(self, message: Message) -> int:
        return message.clicks_machines

    @admin.display(description=_("désinscriptions"), ordering="unsubscribes")
    def unsubscribes(self, message: Message) -> int:
        return message.unsubscribes

    @admin.display(description=_("statistiques"))
    def statistics(self, message: Message) -> str:
        if message.pk is None:
            return "—"
        return format_html(
            "{} : {} / {} — {} : {} / {} — {} : {}",
            _("Ouvertures, personnes / machines"),
            message.opens_people,
            message.opens_machines,
            _("Clics, personnes / machines"),
            message.clicks_people,
            message.clicks_machines,
            _("Désinscriptions"),
            message.unsubscribes,
        )

    @admin.display(description=_("clics par lien"))
    def clicks_per_link(self, message: Message) -> str:
        rows = Event.objects.clicks_per_link(message.pk) if message.pk else []
        if not rows:
            return "—"
        header = format_html("<tr><th>{}</th><th>{}</th><th>{}</th></tr>", _("lien"), _("personnes"), _("machines"))
        body = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", ((r["url"], r["people"], r["machines"]) for r in rows)
        )
        return format_html("<table>{}{}</table>", header, body)


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ("email", "subscribed", "unsubscribed_at", "created_at")
    list_filter = (("unsubscribed_at", admin.EmptyFieldListFilter),)
    search_fields = ("email",)
    readonly_fields = ("created_at",)

    @admin.display(description=_("abonné"), boolean=True, ordering="unsubscribed_at")
    def subscribed(self, recipient: Recipient) -> bool:
        return recipient.is_subscribed


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: events are written by the trackers. Deleting a recipient deletes theirs."""

    list_display = ("occurred_at", "kind", "message", "recipient", "machine", "machine_reason", "url")
    list_filter = ("kind", "machine", "machine_reason")
    list_select_related = ("message", "recipient")
    search_fields = ("recipient__email", "message__name", "url")
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Event | None = None) -> bool:
        return False
