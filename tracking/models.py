"""E-mails sent with trackers, their recipients, and what the trackers saw (opens, clicks, unsubscribes).

A ``Message`` is one e-mail (a subject and a template) that may go to many recipients; every link,
pixel and unsubscribe URL in a sent copy carries a signed token (see ``tracking.tokens``) naming the
message, the recipient and the sending time, so that a tracker view needs no database read.

What a tracker saw is stored according to the recipient's ``TrackingConsent`` at the moment of the
open or click (docs/decisions/0007-recipient-tracking-consent.md): an ``Event`` naming the recipient
with consent, an ``AggregateCount`` for the message without, and for service e-mails, when
``TRACKING_TRANSACTIONAL_LAST_OPEN_ONLY`` is on, a ``DeliveryCheck`` holding only the last open.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import MD5, Coalesce, Now
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    MARKETING = "marketing", _("Marketing (jamais aux désinscrits)")
    TRANSACTIONAL = "transactional", _("Transactionnel (toujours envoyé)")


class EventKind(models.TextChoices):
    OPEN = "open", _("Ouverture")
    CLICK = "click", _("Clic")
    UNSUBSCRIBE = "unsubscribe", _("Désinscription")


class MessageQuerySet(models.QuerySet):
    def with_stats(self) -> MessageQuerySet:
        """Annotate opens and clicks of everyone (per-recipient events plus anonymous counts), people and
        machines apart; the per-recipient part alone; delivery checks; unsubscribes.

        Each figure is a subquery of its own, so that the three tables never multiply each other's rows.
        """

        def events(kind: str, **extra: bool) -> Coalesce:
            rows = Event.objects.filter(message=OuterRef("pk"), kind=kind, **extra)
            return Coalesce(Subquery(rows.values("message").annotate(n=Count("id")).values("n")), 0)

        def counted(kind: str, machine: bool) -> Coalesce:
            rows = AggregateCount.objects.filter(message=OuterRef("pk"), kind=kind, machine=machine)
            return Coalesce(Subquery(rows.values("message").annotate(n=Sum("count")).values("n")), 0)

        delivered = DeliveryCheck.objects.filter(message=OuterRef("pk"))
        return self.annotate(
            opens_consented=events(EventKind.OPEN, machine=False),
            clicks_consented=events(EventKind.CLICK, machine=False),
            opens_people=F("opens_consented") + counted(EventKind.OPEN, machine=False),
            opens_machines=events(EventKind.OPEN, machine=True) + counted(EventKind.OPEN, machine=True),
            clicks_people=F("clicks_consented") + counted(EventKind.CLICK, machine=False),
            clicks_machines=events(EventKind.CLICK, machine=True) + counted(EventKind.CLICK, machine=True),
            delivered_opened=Coalesce(Subquery(delivered.values("message").annotate(n=Count("id")).values("n")), 0),
            unsubscribes=events(EventKind.UNSUBSCRIBE),
        )


class Message(models.Model):
    name = models.CharField(_("nom"), max_length=200, help_text=_("Nom interne, par ex. « Newsletter de mars »."))
    subject = models.CharField(_("objet"), max_length=200)
    template = models.CharField(
        _("gabarit"),
        max_length=100,
        help_text=_("Gabarit de templates/tracking/email/, sans extension (.html et .txt), par ex. demo."),
    )
    kind = models.CharField(_("type"), max_length=13, choices=MessageKind.choices, default=MessageKind.MARKETING)
    created_at = models.DateTimeField(_("créé le"), db_default=Now())

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message suivi")
        verbose_name_plural = _("messages suivis")

    def __str__(self) -> str:
        return self.name


class Recipient(models.Model):
    email = models.EmailField(_("adresse e-mail"), max_length=254, unique=True, help_text=_("En minuscules."))
    created_at = models.DateTimeField(_("créé le"), db_default=Now())
    unsubscribed_at = models.DateTimeField(
        _("désinscrit le"),
        null=True,
        blank=True,
        help_text=_("Vide : abonné. Rempli : plus d'e-mails marketing (les transactionnels partent)."),
    )

    class Meta:
        ordering = ["email"]
        verbose_name = _("destinataire")
        verbose_name_plural = _("destinataires")

    def __str__(self) -> str:
        return self.email

    @property
    def is_subscribed(self) -> bool:
        return self.unsubscribed_at is None


class MachineReason(models.TextChoices):
    PERSON = "", _("Personne")
    HEAD = "head", _("Requête HEAD")
    MAIL_PROXY = "mail-proxy", _("Proxy de messagerie (Apple, Gmail, Yahoo)")
    SCANNER = "scanner", _("Robot ou analyseur de liens")
    TOO_FAST = "too-fast", _("Clic trop tôt après l'envoi")


def clicks_per_link(message_id: int) -> list[dict[str, Any]]:
    """One row per clicked URL of a message, everyone counted (per-recipient events and anonymous
    counts): ``url``, ``people``, ``machines``, most clicked by people first."""
    totals: dict[str, dict[str, Any]] = {}
    events = (
        Event.objects.filter(message_id=message_id, kind=EventKind.CLICK)
        .values("url")
        .annotate(people=Count("id", filter=Q(machine=False)), machines=Count("id", filter=Q(machine=True)))
    )
    counted = (
        AggregateCount.objects.filter(message_id=message_id, kind=EventKind.CLICK)
        .values("url")
        .annotate(
            people=Coalesce(Sum("count", filter=Q(machine=False)), 0),
            machines=Coalesce(Sum("count", filter=Q(machine=True)), 0),
        )
    )
    for row in [*events, *counted]:
        total = totals.setdefault(row["url"], {"url": row["url"], "people": 0, "machines": 0})
        total["people"] += row["people"]
        total["machines"] += row["machines"]
    return sorted(totals.values(), key=lambda r: (-r["people"], -r["machines"], r["url"]))


class Event(models.Model):
    """What a tracker saw. Written once by the tracker views, never changed."""

    # db_index=False: the (message, kind) index below serves lookups by message.
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="events", db_index=False, verbose_name=_("message")
    )
    recipient = models.ForeignKey(
        Recipient,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("destinataire"),
        help_text=_("Le destinataire, qui avait accepté le suivi au moment de l'ouverture ou du clic."),
    )
    kind = models.CharField(_("type"), max_length=11, choices=EventKind.choices)
    url = models.TextField(_("lien"), blank=True, help_text=_("Pour un clic : l'adresse de destination."))
    occurred_at = models.DateTimeField(_("date"))
    machine = models.BooleanField(
        _("machine"), default=False, help_text=_("Requête d'un robot ou d'un proxy, pas d'une personne.")
    )
    machine_reason = models.CharField(
        _("détecté comme"), max_length=10, choices=MachineReason.choices, blank=True, default=MachineReason.PERSON
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        indexes = [models.Index(fields=["message", "kind"], name="tracking_event_msg_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(machine=False, machine_reason="") | (Q(machine=True) & ~Q(machine_reason="")),
                name="tracking_event_machine_has_reason",
            ),
            models.CheckConstraint(condition=Q(kind="click") | Q(url=""), name="tracking_event_url_only_for_clicks"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.message_id} {self.occurred_at:%Y-%m-%d %H:%M}"


class AggregateCount(models.Model):
    """Opens or clicks of a message by recipients who had not agreed to tracking: a count per day,
    link and kind of reader, naming nobody. Written by the event batches (``tracking.events``)."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="aggregate_counts", db_index=False, verbose_name=_("message")
    )
    kind = models.CharField(_("type"), max_length=11, choices=EventKind.choices)
    url = models.TextField(_("lien"), blank=True, help_text=_("Pour des clics : l'adresse de destination."))
    day = models.DateField(_("jour (UTC)"))
    machine = models.BooleanField(_("machine"), default=False)
    machine_reason = models.CharField(
        _("détecté comme"), max_length=10, choices=MachineReason.choices, blank=True, default=MachineReason.PERSON
    )
    count = models.PositiveIntegerField(_("nombre"))

    class Meta:
        ordering = ["-day", "message", "kind"]
        verbose_name = _("décompte anonyme")
        verbose_name_plural = _("décomptes anonymes")
        constraints = [
            # The key of the batches' upsert; the URL by its digest (a B-tree entry is limited to ~2.7 kB).
            models.UniqueConstraint(
                F("message"), F("kind"), F("day"), F("machine_reason"), MD5("url"), name="tracking_aggregate_key"
            ),
            models.CheckConstraint(condition=Q(kind__in=["open", "click"]), name="tracking_aggregate_open_or_click"),
            models.CheckConstraint(condition=Q(kind="click") | Q(url=""), name="tracking_aggregate_url_for_clicks"),
            models.CheckConstraint(
                condition=Q(machine=False, machine_reason="") | (Q(machine=True) & ~Q(machine_reason="")),
                name="tracking_aggregate_machine_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.count} {self.message_id} {self.day}"


class DeliveryCheck(models.Model):
    """The last open of a service e-mail by its recipient, and nothing else (the CNIL's exemption for
    checking delivery), kept instead of events when ``TRACKING_TRANSACTIONAL_LAST_OPEN_ONLY`` is on."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="delivery_checks", db_index=False, verbose_name=_("message")
    )
    recipient = models.ForeignKey(
        Recipient, on_delete=models.CASCADE, related_name="delivery_checks", verbose_name=_("destinataire")
    )
    last_opened_at = models.DateTimeField(_("dernière ouverture"))

    class Meta:
        ordering = ["-last_opened_at"]
        verbose_name = _("contrôle de remise")
        verbose_name_plural = _("contrôles de remise")
        constraints = [models.UniqueConstraint(fields=["message", "recipient"], name="tracking_delivery_once")]

    def __str__(self) -> str:
        return f"{self.message_id} {self.recipient_id} {self.last_opened_at:%Y-%m-%d %H:%M}"


class ConsentSource(models.TextChoices):
    FORM = "form", _("Case cochée sur un formulaire du site")
    EMAIL_LINK = "email-link", _("Page de consentement (lien d'un e-mail)")
    IMPORT = "import", _("Import par l'équipe marketing, avec sa preuve")
    WITHDRAWAL_LINK = "withdrawal-link", _("Lien « Ne plus suivre » d'un e-mail")
    UNSUBSCRIBE = "unsubscribe", _("Désinscription des e-mails marketing")
    ADMIN = "admin", _("Retrait enregistré par l'équipe (demande écrite, appel)")


class TrackingConsentQuerySet(models.QuerySet):
    def latest_first(self) -> TrackingConsentQuerySet:
        return self.order_by("-recorded_at", "-id")

    def current(self, recipient_id: int) -> TrackingConsent | None:
        """The record that gives a recipient's state now: their latest grant or withdrawal, or None."""
        return self.filter(recipient_id=recipient_id).latest_first().first()


class TrackingConsent(models.Model):
    """One grant or withdrawal of a recipient's consent to the measuring of their own opens and clicks.

    Append-only (a trigger refuses UPDATE; rows go only with their recipient's erasure). A recipient's
    state is their latest row; with none, they have not agreed. Distinct from the subscription: a
    recipient may receive e-mails without being tracked, and unsubscribing also withdraws this.
    """

    recipient = models.ForeignKey(
        Recipient,
        on_delete=models.CASCADE,
        related_name="tracking_consents",
        db_index=False,  # the (recipient, recorded_at) index serves it
        verbose_name=_("destinataire"),
    )
    given = models.BooleanField(_("accordé"), help_text=_("Coché : accord donné. Décoché : accord retiré."))
    recorded_at = models.DateTimeField(_("date"), db_default=Now())
    source = models.CharField(_("moyen"), max_length=16, choices=ConsentSource.choices)
    text = models.TextField(_("texte affiché"), blank=True, help_text=_("Ce que la personne a lu en décidant."))
    text_version = models.CharField(_("version du texte"), max_length=40, blank=True)
    language = models.CharField(_("langue"), max_length=8, blank=True)
    # A plain number, not a foreign key: the record outlives the message it came from.
    message_id = models.BigIntegerField(_("message d'origine"), null=True, blank=True)
    evidence = models.TextField(
        _("preuve"), blank=True, help_text=_("Pour un import : la preuve jointe (référence, extrait, lien).")
    )
    recorded_by = models.CharField(_("enregistré par"), max_length=150, blank=True)

    objects = TrackingConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("consentement au suivi des e-mails")
        verbose_name_plural = _("consentements au suivi des e-mails")
        permissions = [("export_trackingconsent", _("Peut exporter l'historique d'un destinataire (DPO)"))]
        indexes = [models.Index(F("recipient"), F("recorded_at").desc(), name="tracking_consent_state_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="import") | (~Q(evidence="") & ~Q(recorded_by="")),
                name="tracking_consent_import_has_evidence",
            ),
            models.CheckConstraint(
                condition=Q(given=True, source__in=["form", "email-link", "import"])
                | Q(given=False, source__in=["withdrawal-link", "unsubscribe", "admin"]),
                name="tracking_consent_source_fits",
            ),
        ]

    def __str__(self) -> str:
        state = _("accord") if self.given else _("retrait")
        return f"{state} {self.recipient_id} {self.recorded_at:%Y-%m-%d %H:%M}"
