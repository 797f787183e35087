"""Scans of the site in a real browser, and what each found against the declarations.

A scan visits every public page in each consent state (scanner/states.py) and keeps what it observed;
its findings compare that with the declarations of the consent app. See
docs/decisions/0009-cookie-scanner.md for how a scan runs in the background and why only one runs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from consent.models import PurposeSlug
from scanner.states import state_named


class Status(models.TextChoices):
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échoué")


class Scan(models.Model):
    started_at = models.DateTimeField(_("lancé le"), db_default=Now())
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("lancé par"),
        help_text=_("Vide : lancé en ligne de commande (manage.py scan_cookies)."),
    )
    base_url = models.URLField(_("adresse du site"))
    pages = models.JSONField(_("pages"), default=list, help_text=_("Chemins visités dans chaque état."))
    states = models.JSONField(_("états de consentement"), default=list)
    status = models.CharField(_("statut"), max_length=8, choices=Status.choices, default=Status.RUNNING)
    visits_done = models.PositiveIntegerField(_("visites faites"), default=0)
    visits_total = models.PositiveIntegerField(_("visites prévues"), default=0)
    heartbeat = models.DateTimeField(_("dernier signe de vie"), db_default=Now())
    finished_at = models.DateTimeField(_("fini le"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    observations = models.JSONField(
        _("observations"),
        default=list,
        help_text=_("Pour chaque état et page : cookies, clés de stockage et hôtes tiers appelés."),
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("scan des cookies")
        verbose_name_plural = _("scans des cookies")
        constraints = [
            # One scan at a time, whichever server started it (decision 0009).
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="running"), name="scanner_one_scan_running"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.base_url} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None


class Severity(models.IntegerChoices):
    CRITICAL = 40, _("Critique")
    HIGH = 30, _("Élevée")
    MEDIUM = 20, _("Moyenne")
    LOW = 10, _("Faible")


class Kind(models.TextChoices):
    WITHOUT_CONSENT = "without_consent", _("Sans consentement")
    UNDECLARED = "undeclared", _("Non déclaré")
    UNDECLARED_HOST = "undeclared_host", _("Hôte tiers non déclaré")
    DURATION = "duration", _("Durée différente")
    NEVER_SEEN = "never_seen", _("Déclaré, jamais vu")
    UNREADABLE_DURATION = "unreadable_duration", _("Durée déclarée illisible")
    PAGE_ERROR = "page_error", _("Page en erreur")


class ItemType(models.TextChoices):
    COOKIE = "cookie", _("cookie")
    LOCAL_STORAGE = "localStorage", _("clé localStorage")
    SESSION_STORAGE = "sessionStorage", _("clé sessionStorage")
    HOST = "host", _("hôte tiers")
    PAGE = "page", _("page")


class Finding(models.Model):
    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="findings", verbose_name=_("scan"))
    severity = models.PositiveSmallIntegerField(_("gravité"), choices=Severity.choices)
    kind = models.CharField(_("constat"), max_length=20, choices=Kind.choices)
    item_type = models.CharField(_("type"), max_length=14, choices=ItemType.choices)
    name = models.CharField(_("nom"), max_length=255, help_text=_("Cookie, clé de stockage, hôte ou page."))
    state = models.CharField(_("état"), max_length=32, blank=True, help_text=_("Vide : tous les états."))
    pages = models.JSONField(_("pages"), default=list)
    details = models.JSONField(_("détails"), default=dict)

    class Meta:
        ordering = ["-severity", "kind", "name", "state"]
        verbose_name = _("constat")
        verbose_name_plural = _("constats")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"

    def state_label(self) -> str:
        state = state_named(self.state)
        return state.label() if state else gettext("Tous les états")

    def message(self) -> str:
        """What the finding means, for the marketer, in the active language."""
        d = self.details
        language = "en" if (get_language() or "fr").startswith("en") else "fr"
        observed = d.get(f"observed_{language}", "")
        if self.kind == Kind.WITHOUT_CONSENT:
            if d.get("provider"):
                return gettext("Appelé alors qu'aucune finalité de %(provider)s n'est accordée.") % d
            if d.get("purpose"):
                return gettext("Présent alors que sa finalité « %(purpose)s » n'est pas accordée.") % {
                    "purpose": PurposeSlug(d["purpose"]).label
                }
            return gettext("Présent sans aucun consentement, et aucune déclaration ne dit sa finalité.")
        if self.kind == Kind.UNDECLARED:
            if self.item_type == ItemType.COOKIE:
                return gettext("Aucune déclaration ne couvre ce cookie (%(domain)s, %(observed)s).") % {
                    "domain": d.get("domain", ""),
                    "observed": observed,
                }
            return gettext("Aucune déclaration ne couvre cette clé de stockage.")
        if self.kind == Kind.UNDECLARED_HOST:
            return gettext("Aucun fournisseur ne déclare ce domaine.")
        if self.kind == Kind.DURATION:
            text = gettext("Déclaré « %(declared)s », gardé %(observed)s par le navigateur.") % {
                "declared": d.get("declared", ""),
                "observed": observed,
            }
            if d.get("at_browser_cap"):
                text += " " + gettext("Au moins : Chromium ne garde aucun cookie plus de 400 jours.")
            return text
        if self.kind == Kind.NEVER_SEEN:
            return gettext("Déclaré (%(provider)s) mais vu dans aucun état.") % d
        if self.kind == Kind.UNREADABLE_DURATION:
            return (
                gettext("La durée déclarée « %(declared)s » n'est pas lisible : écrivez par exemple « 13 mois ».") % d
            )
        if d.get("error"):
            return gettext("La page n'a pas pu être lue : %(error)s") % d
        return gettext("La page répond %(status)s.") % d
