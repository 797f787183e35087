"""Admin for marketers and the DPO: messages with their statistics, recipients with their subscription
and tracking consent, per-recipient events, anonymous counts, delivery checks.

Statistics count everyone: per-recipient events (recipients who had agreed to tracking at the time)
plus anonymous counts. Machines (mail proxies, link scanners) are shown apart and are not in the
people's figures. Consent records are read-only; marketers add them by import (``tracking.backoffice``).
"""

from __future__ import annotations

from functools import partial

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from tracking import backoffice
from tracking.consents import record_tracking_consent
from tracking.models import (
    AggregateCount,
    ConsentSource,
    DeliveryCheck,
    Event,
    Message,
    Recipient,
    TrackingConsent,
    clicks_per_link,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the trackers or by the people themselves: never added or changed by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "created_at",
        "opens_people",
        "opens_consented",
        "opens_machines",
        "clicks_people",
        "clicks_consented",
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

    @admin.display(description=_("dont avec accord"), ordering="opens_consented")
    def opens_consented(self, message: Message) -> int:
        return message.opens_consented

    @admin.display(description=_("ouvertures (machines)"), ordering="opens_machines")
    def opens_machines(self, message: Message) -> int:
        return message.opens_machines

    @admin.display(description=_("clics (personnes)"), ordering="clicks_people")
    def clicks_people(self, message: Message) -> int:
        return message.clicks_people

    @admin.display(description=_("dont avec accord"), ordering="clicks_consented")
    def clicks_consented(self, message: Message) -> int:
        return message.clicks_consented

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
        events = reverse("admin:tracking_event_changelist") + f"?message__id__exact={message.pk}"
        return format_html(
            "{} : {} ({} {}) / {} — {} : {} ({} {}) / {} — {} : {} — {} : {}<br>{} <a href='{}'>{}</a>",
            _("Ouvertures, personnes / machines"),
            message.opens_people,
            message.opens_consented,
            _("avec accord"),
            message.opens_machines,
            _("Clics, personnes / machines"),
            message.clicks_people,
            message.clicks_consented,
            _("avec accord"),
            message.clicks_machines,
            _("Remises vérifiées (dernière ouverture)"),
            message.delivered_opened,
            _("Désinscriptions"),
            message.unsubscribes,
            _("Les machines (proxys de messagerie, analyseurs de liens) sont comptées à part."),
            events,
            _("Événements par destinataire (accord au moment de l'ouverture ou du clic)"),
        )

    @admin.display(description=_("clics par lien"))
    def clicks_per_link(self, message: Message) -> str:
        rows = clicks_per_link(message.pk) if message.pk else []
        if not rows:
            return "—"
        header = format_html("<tr><th>{}</th><th>{}</th><th>{}</th></tr>", _("lien"), _("personnes"), _("machines"))
        body = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", ((r["url"], r["people"], r["machines"]) for r in rows)
        )
        return format_html("<table>{}{}</table>", header, body)


class TrackingConsentInline(admin.TabularInline):
    """A recipient's consent history, latest first: read-only (the records are append-only)."""

    model = TrackingConsent
    fields = ("recorded_at", "given", "source", "text_version", "language", "message_id", "evidence", "recorded_by")
    readonly_fields = fields
    ordering = ("-recorded_at", "-id")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ("email", "subscribed", "unsubscribed_at", "created_at")
    list_filter = (("unsubscribed_at", admin.EmptyFieldListFilter),)
    search_fields = ("email",)
    readonly_fields = ("created_at", "tracking_state", "history_export")
    inlines = [TrackingConsentInline]
    actions = ["withdraw_tracking"]

    @admin.action(description=_("Retirer l'accord au suivi (demande écrite, appel)"), permissions=["change"])
    def withdraw_tracking(self, request: HttpRequest, queryset: QuerySet[Recipient]) -> None:
        """A withdrawal the person asked for elsewhere than on the page, recorded under the user's name."""
        changed = sum(
            record_tracking_consent(
                recipient_id=pk, given=False, source=ConsentSource.ADMIN, recorded_by=request.user.get_username()
            )
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, _("Accord retiré pour %(n)d destinataire(s).") % {"n": changed})

    def get_urls(self) -> list[URLPattern]:
        export = self.admin_site.admin_view(backoffice.export_consent_history)
        own = [path("<int:recipient_id>/tracking-consents.<str:fmt>", export, name="tracking_consent_history")]
        return own + super().get_urls()

    @admin.display(description=_("abonné"), boolean=True, ordering="unsubscribed_at")
    def subscribed(self, recipient: Recipient) -> bool:
        return recipient.is_subscribed

    @admin.display(description=_("suivi des ouvertures et clics"))
    def tracking_state(self, recipient: Recipient) -> str:
        current = TrackingConsent.objects.current(recipient.pk) if recipient.pk else None
        if current is None:
            return str(_("Pas d'accord : seuls des totaux anonymes sont comptés."))
        if current.given:
            return format_html("{} {}", _("Accepté le"), f"{current.recorded_at:%Y-%m-%d %H:%M} UTC")
        return format_html("{} {}", _("Retiré le"), f"{current.recorded_at:%Y-%m-%d %H:%M} UTC")

    @admin.display(description=_("historique pour le DPO"))
    def history_export(self, recipient: Recipient) -> str:
        if recipient.pk is None:
            return "—"
        links = (
            (reverse("admin:tracking_consent_history", args=[recipient.pk, fmt]), fmt.upper())
            for fmt in backoffice.FORMATS
        )
        return format_html_join(" · ", "<a href='{}'>{}</a>", links)


@admin.register(TrackingConsent)
class TrackingConsentAdmin(ReadOnlyAdmin):
    list_display = ("recorded_at", "recipient", "given", "source", "text_version", "recorded_by")
    list_filter = ("given", "source")
    list_select_related = ("recipient",)
    search_fields = ("recipient__email",)
    date_hierarchy = "recorded_at"
    change_list_template = "admin/tracking/trackingconsent/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        imports = self.admin_site.admin_view(partial(backoffice.import_consents, admin=self))
        return [path("import/", imports, name="tracking_consent_import"), *super().get_urls()]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Per-recipient events: only of recipients who had agreed to tracking at the time, and unsubscribes.
    Deleting a recipient deletes theirs."""

    list_display = ("occurred_at", "kind", "message", "recipient", "machine", "machine_reason", "url")
    list_filter = ("kind", "machine", "machine_reason")
    list_select_related = ("message", "recipient")
    search_fields = ("recipient__email", "message__name", "url")
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(AggregateCount)
class AggregateCountAdmin(ReadOnlyAdmin):
    list_display = ("day", "message", "kind", "count", "machine", "machine_reason", "url")
    list_filter = ("kind", "machine", "machine_reason")
    list_select_related = ("message",)
    search_fields = ("message__name", "url")
    date_hierarchy = "day"


@admin.register(DeliveryCheck)
class DeliveryCheckAdmin(ReadOnlyAdmin):
    list_display = ("last_opened_at", "message", "recipient")
    list_select_related = ("message", "recipient")
    search_fields = ("recipient__email", "message__name")
