"""E-mails sent with trackers, their recipients, and what the trackers saw (opens, clicks, unsubscribes).

A ``Message`` is one e-mail (a subject and a template) that may go to many recipients; every link,
pixel and unsubscribe URL in a sent copy carries a signed token (see ``tracking.tokens``) naming the
message, the recipient and the sending time, so that recording an ``Event`` is a single INSERT.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Now
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
        """Annotate opens and clicks by people and by machines apart, and unsubscribes."""

        def count(kind: str, **extra: bool) -> Count:
            return Count("events", filter=Q(events__kind=kind, **{f"events__{k}": v for k, v in extra.items()}))

        return self.annotate(
            opens_people=count(EventKind.OPEN, machine=False),
            opens_machines=count(EventKind.OPEN, machine=True),
            clicks_people=count(EventKind.CLICK, machine=False),
            clicks_machines=count(EventKind.CLICK, machine=True),
            unsubscribes=count(EventKind.UNSUBSCRIBE),
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


class EventQuerySet(models.QuerySet):
    def clicks_per_link(self, message_id: int) -> models.QuerySet:
        """One row per clicked URL of a message: ``url``, ``people``, ``machines``, people first."""
        return (
            self.filter(message_id=message_id, kind=EventKind.CLICK)
            .values("url")
            .annotate(people=Count("id", filter=Q(machine=False)), machines=Count("id", filter=Q(machine=True)))
            .order_by("-people", "-machines", "url")
        )


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
        help_text=_("Vide pour les ouvertures quand la mesure par message seulement est activée (CNIL)."),
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

    objects = EventQuerySet.as_manager()

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
