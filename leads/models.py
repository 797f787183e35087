"""Leads from the contact and demo-request forms: what sales read in the admin.

Submissions are rate-limited per client by the ``ratelimit`` app.
"""

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MESSAGE_MAX_LENGTH = 3000


class TeamSize(models.TextChoices):
    SOLO = "1", _("Juste moi")
    SMALL = "2-5", _("2 à 5 commerciaux")
    MEDIUM = "6-20", _("6 à 20 commerciaux")
    LARGE = "21-100", _("21 à 100 commerciaux")
    XLARGE = "100+", _("Plus de 100 commerciaux")


class CaptchaStatus(models.TextChoices):
    VERIFIED = "verified", _("Vérifié")
    NOT_VERIFIED = "not_verified", _("Non vérifié (FriendlyCaptcha injoignable)")
    DISABLED = "disabled", _("Désactivé (pas de clés configurées)")


class LeadSource(models.TextChoices):
    CONTACT = "contact", _("Page contact")
    HOME = "home", _("Page d'accueil")


class Lead(models.Model):
    created_at = models.DateTimeField(_("reçu le"), default=timezone.now, db_index=True)
    name = models.CharField(_("nom"), max_length=120)
    email = models.EmailField(_("e-mail professionnel"), max_length=254)
    company = models.CharField(_("entreprise"), max_length=120)
    team_size = models.CharField(_("taille de l'équipe"), max_length=8, choices=TeamSize.choices)
    message = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH, blank=True)
    marketing_opt_in = models.BooleanField(
        _("accepte les e-mails marketing"),
        default=False,
        help_text=_(
            "Case cochée par le visiteur lui-même (jamais pré-cochée) : seule base pour lui écrire hors demande."
        ),
    )
    captcha_status = models.CharField(
        _("captcha"),
        max_length=16,
        choices=CaptchaStatus.choices,
        help_text=_(
            "« Non vérifié » : FriendlyCaptcha n'a pas pu répondre, la demande a été acceptée par prudence ; "
            "« Désactivé » : le site tournait sans clés FriendlyCaptcha."
        ),
    )
    source = models.CharField(_("formulaire"), max_length=16, choices=LeadSource.choices, default=LeadSource.CONTACT)
    language = models.CharField(_("langue"), max_length=8)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("demande de démo")
        verbose_name_plural = _("demandes de démo")
        constraints = [
            models.CheckConstraint(condition=models.Q(team_size__in=TeamSize.values), name="lead_team_size_valid"),
            models.CheckConstraint(
                condition=models.Q(captcha_status__in=CaptchaStatus.values), name="lead_captcha_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(source__in=LeadSource.values), name="lead_source_valid"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("message"), MESSAGE_MAX_LENGTH), name="lead_message_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})"
