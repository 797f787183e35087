"""Purges of the cache in front of the site (Varnish, Fastly, Cloudflare), kept until they succeed.

A row is one purge of a list of URLs at one endpoint. It is written when the admin's change commits
and sent in the background (cdn/worker.py), so a cache that is down never blocks a save; a failed
purge is tried again with a growing delay, a bounded number of times, and the admin lists it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PurgeQuerySet(models.QuerySet["Purge"]):
    def due(self, now: object) -> PurgeQuerySet:
        return self.filter(status=Purge.Status.PENDING, next_attempt_at__lte=now)

    def pending(self) -> PurgeQuerySet:
        return self.filter(status=Purge.Status.PENDING)


class Purge(models.Model):
    class Backend(models.TextChoices):
        HTTP = "http", _("PURGE HTTP (Varnish, Fastly)")
        CLOUDFLARE = "cloudflare", _("API Cloudflare")

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        DONE = "done", _("faite")
        FAILED = "failed", _("échouée")

    backend = models.CharField(_("service"), max_length=16, choices=Backend.choices)
    endpoint = models.CharField(
        _("adresse"), max_length=500, help_text=_("Le cache (ou la zone Cloudflare) à qui la purge est envoyée.")
    )
    urls = models.JSONField(_("pages"), default=list, help_text=_("Les adresses des pages à purger."))
    status = models.CharField(_("état"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("essais"), default=0)
    next_attempt_at = models.DateTimeField(_("prochain essai"))
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("demandée le"), auto_now_add=True)
    done_at = models.DateTimeField(_("faite le"), null=True, blank=True)

    objects = PurgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("purge du cache")
        verbose_name_plural = _("purges du cache")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="cdn_purge_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="done", done_at__isnull=False)
                | (~models.Q(status="done") & models.Q(done_at__isnull=True)),
                name="cdn_purge_done_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_backend_display()} {self.endpoint} ({self.get_status_display()})"
