"""What the site declares (purposes, providers, cookies, e-mail trackers) and what visitors chose.

Declarations are edited by marketers in the admin and shown on the cookie policy and in the consent
modal; ``ConsentRecord`` is the append-only proof of every decision (see docs/decisions/).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from consent.policy import CLOCK_SKEW, MAX_RESEND_AGE


class PurposeSlug(models.TextChoices):
    NECESSARY = "necessary", _("Strictement nécessaires")
    PREFERENCES = "preferences", _("Préférences")
    STATISTICS = "statistics", _("Statistiques")
    ADVERTISING = "advertising", _("Publicité")


# The purposes a visitor chooses, in the order of the consent cookie's digits. Everything that has one
# entry per purpose (record columns, roll-up columns, charts, consent.js, Consent Mode) follows this;
# docs/adding-a-purpose.md lists what a new one needs, and tests/consent/test_purposes.py checks it.
OPTIONAL_PURPOSES: tuple[str, ...] = tuple(slug for slug in PurposeSlug if slug != PurposeSlug.NECESSARY)


class Purpose(models.Model):
    slug = models.SlugField(
        _("identifiant"),
        choices=PurposeSlug.choices,
        unique=True,
        help_text=_("Fixé par le code : le consentement et Google Consent Mode s'appuient dessus."),
    )
    name = models.CharField(_("nom"), max_length=100, help_text=_("Titre affiché au visiteur."))
    description = models.TextField(_("description"), help_text=_("Ce que ces traceurs font, en clair."))
    required = models.BooleanField(
        _("obligatoire"),
        default=False,
        help_text=_("Toujours actif, sans consentement : réservé aux traceurs strictement nécessaires."),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("finalité")
        verbose_name_plural = _("finalités")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(required=False) | models.Q(slug="necessary"),
                name="purpose_only_necessary_is_required",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    name = models.CharField(_("nom"), max_length=100, unique=True)
    privacy_policy_url = models.URLField(_("politique de confidentialité"), blank=True)
    legal_name = models.CharField(
        _("raison sociale"), max_length=200, blank=True, help_text=_("La société qui reçoit les données.")
    )
    country = models.CharField(
        _("pays"), max_length=2, blank=True, help_text=_("Où elle est établie (code ISO, ex. IE).")
    )
    data_location = models.CharField(_("où vont les données"), max_length=200, blank=True)
    transfer_basis = models.CharField(
        _("base du transfert"),
        max_length=300,
        blank=True,
        help_text=_("Si les données quittent l'UE : sur quelle base."),
    )
    hosts = models.CharField(
        _("domaines"),
        max_length=500,
        blank=True,
        help_text=_(
            "Domaines de ses scripts, appels et cookies, séparés par des virgules (par exemple "
            "« google-analytics.com, doubleclick.net ») : le scanner de cookies lui attribue ce qu'il y voit."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("fournisseur")
        verbose_name_plural = _("fournisseurs")

    def __str__(self) -> str:
        return self.name

    def domains(self) -> list[str]:
        return [d.strip().lstrip(".").lower() for d in self.hosts.split(",") if d.strip()]


class Party(models.TextChoices):
    FIRST = "first", _("Interne (first party)")
    THIRD = "third", _("Tiers (third party)")


class Cookie(models.Model):
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="cookies", verbose_name=_("fournisseur")
    )
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="cookies", verbose_name=_("finalité"))
    name = models.CharField(
        _("nom du traceur"),
        max_length=128,
        help_text=_("Nom exact, ou famille avec * (par exemple _ga_*). Sert aussi à effacer le cookie au retrait."),
    )
    description = models.TextField(_("finalité détaillée"), help_text=_("À quoi sert ce traceur, pour le visiteur."))
    duration = models.CharField(_("durée"), max_length=64, help_text=_("Par exemple « 13 mois » ou « session »."))
    party = models.CharField(_("émetteur"), max_length=5, choices=Party.choices, default=Party.FIRST)
    path = models.CharField(_("chemin"), max_length=128, default="/", help_text=_("Chemin du cookie, souvent /."))
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["purpose__order", "order", "name"]
        verbose_name = _("cookie")
        verbose_name_plural = _("cookies")
        constraints = [
            models.UniqueConstraint(fields=["provider", "name", "path"], name="cookie_unique_per_provider"),
        ]

    def __str__(self) -> str:
        return self.name


class Placement(models.TextChoices):
    HEAD = "head", _("dans <head>")
    BODY = "body", _("en fin de page")


class VendorTag(models.Model):
    """A vendor's snippet added from the catalog (consent/catalog/), held on every page for its purpose."""

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="vendor_tags", verbose_name=_("fournisseur")
    )
    purpose = models.ForeignKey(
        Purpose, on_delete=models.PROTECT, related_name="vendor_tags", verbose_name=_("finalité")
    )
    vendor = models.CharField(_("fournisseur du catalogue"), max_length=64, help_text=_("Son entrée du catalogue."))
    values = models.JSONField(_("valeurs"), default=dict, help_text=_("Ce qui a été saisi (identifiant du compte…)."))
    html = models.TextField(
        _("code"), help_text=_("Le code du fournisseur, rempli ; tenu tant que sa finalité n'est pas accordée.")
    )
    placement = models.CharField(_("emplacement"), max_length=4, choices=Placement.choices, default=Placement.BODY)
    active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    class Meta:
        ordering = ["purpose__order", "provider__name", "id"]
        verbose_name = _("balise d'un fournisseur")
        verbose_name_plural = _("balises des fournisseurs")

    def __str__(self) -> str:
        return f"{self.provider} ({self.vendor})"


class DeletionStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    DONE = "done", _("Envoyée")
    FAILED = "failed", _("Échouée")


class VendorDeletion(models.Model):
    """A withdrawal passed on to a vendor that has a deletion API: the identifier its cookie held, sent
    by the nightly job (consent/catalog/deletions.py), then forgotten."""

    vendor = models.CharField(_("fournisseur du catalogue"), max_length=64)
    identifier = models.CharField(
        _("identifiant chez le fournisseur"),
        max_length=100,
        blank=True,
        help_text=_("Effacé une fois reçu."),
    )
    requested_at = models.DateTimeField(_("retrait le"), db_default=Now())
    status = models.CharField(_("statut"), max_length=7, choices=DeletionStatus.choices, default=DeletionStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), db_default=Now())
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("demande de suppression chez un fournisseur")
        verbose_name_plural = _("demandes de suppression chez les fournisseurs")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="vendordeletion_due")]

    def __str__(self) -> str:
        return f"{self.vendor} {self.requested_at:%Y-%m-%d}"


class TrackerKind(models.TextChoices):
    IMAGE = "image", _("image")
    LINK = "link", _("lien")


class Audience(models.TextChoices):
    CONTACTS = "contacts", _("Contacts des clients")
    USERS = "users", _("Utilisateurs de l'application")


class EmailTracker(models.Model):
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="email_trackers", verbose_name=_("fournisseur")
    )
    audience = models.CharField(_("destinataires"), max_length=8, choices=Audience.choices)
    url_shape = models.CharField(_("URL contenant"), max_length=200, help_text=_("Par exemple .../o/xxx.xxx"))
    kind = models.CharField(_("type"), max_length=5, choices=TrackerKind.choices)
    description = models.TextField(_("finalité"))
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["audience", "order", "url_shape"]
        verbose_name = _("traceur d'e-mail")
        verbose_name_plural = _("traceurs d'e-mail")

    def __str__(self) -> str:
        return self.url_shape


class PolicyRevision(models.Model):
    number = models.PositiveIntegerField(_("révision"), unique=True)
    created_at = models.DateTimeField(_("date"), db_default=Now())
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("auteur")
    )
    note = models.CharField(_("note"), max_length=200, help_text=_("Ce qui change, par ex. « nouveau traceur »."))
    banner_hash = models.CharField(_("empreinte du bandeau"), max_length=64)
    declarations = models.JSONField(
        _("déclarations publiées"),
        default=dict,
        help_text=_("Ce que chaque finalité facultative déclarait à la publication, dans chaque langue."),
    )
    reasks_everyone = models.BooleanField(
        _("redemande à tous"),
        default=True,
        help_text=_("Tous les visiteurs sont réinterrogés, y compris ceux qui avaient refusé."),
    )
    reasked_purposes = models.JSONField(
        _("finalités redemandées"),
        default=list,
        help_text=_("Sinon : les visiteurs qui avaient accepté l'une de ces finalités sont réinterrogés."),
    )

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        verbose_name = _("révision de la politique")
        verbose_name_plural = _("révisions de la politique")
        permissions = [("bump_policyrevision", _("Peut publier une révision (redemande leur choix aux visiteurs)"))]

    def __str__(self) -> str:
        return f"{self.number}"

    def reasks(self, purpose: str) -> bool:
        """Whether a visitor who granted ``purpose`` under an earlier revision is asked again."""
        return self.reasks_everyone or purpose in self.reasked_purposes


class BannerVersion(models.Model):
    """One consent UI exactly as visitors were shown it: the banner and the settings dialog in one
    language, under one policy revision, with the declarations they listed.

    Stored once, before the first page that carries it is served, and never changed (the database
    refuses it); each consent record names the version its page showed (``ConsentRecord.banner_hash``).
    """

    hash = models.CharField(_("empreinte"), max_length=64, primary_key=True)
    revision = models.PositiveIntegerField(_("révision"))
    language = models.CharField(_("langue"), max_length=8)
    html = models.TextField(_("bandeau et fenêtre de paramètres (HTML)"))
    declarations = models.JSONField(_("déclarations affichées"))
    created_at = models.DateTimeField(_("première diffusion"), db_default=Now())

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("version du bandeau")
        verbose_name_plural = _("versions du bandeau")

    def __str__(self) -> str:
        return f"{self.hash[:12]} ({self.language}, r{self.revision})"


class Action(models.TextChoices):
    ACCEPT_ALL = "accept_all", _("Tout accepter")
    REJECT_ALL = "reject_all", _("Tout refuser")
    CUSTOM = "custom", _("Choix personnalisé")
    CLOSE = "close", _("Fermeture sans choix (refus)")
    WITHDRAW = "withdraw", _("Retrait d'un consentement")


class Source(models.TextChoices):
    BANNER = "banner", _("Bandeau")
    SETTINGS = "settings", _("Lien « Paramètres des cookies »")
    NOJS = "nojs", _("Formulaire sans JavaScript")


class ConsentRecordQuerySet(models.QuerySet):
    def between(self, start, end) -> "ConsentRecordQuerySet":
        """Decisions made from ``start`` (inclusive) to ``end`` (exclusive)."""
        return self.filter(decided_at__gte=start, decided_at__lt=end)

    def for_consent_id(self, consent_id: uuid.UUID) -> "ConsentRecordQuerySet":
        return self.filter(consent_id=consent_id).order_by("decided_at", "id")

    def older_than(self, cutoff) -> "ConsentRecordQuerySet":
        """Decisions made strictly before ``cutoff``: what the retention purge removes."""
        return self.filter(decided_at__lt=cutoff)


class ConsentRecord(models.Model):
    """One decision of one visitor. Rows are never updated; the database refuses it."""

    consent_id = models.UUIDField(_("identifiant de consentement"))
    decision_id = models.UUIDField(
        _("identifiant de décision"), unique=True, help_text=_("Rend les renvois idempotents.")
    )
    decided_at = models.DateTimeField(_("décidé le"))
    recorded_at = models.DateTimeField(_("enregistré le"), db_default=Now())
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    preferences = models.BooleanField(_("préférences"))
    statistics = models.BooleanField(_("statistiques"))
    advertising = models.BooleanField(_("publicité"))
    policy_revision = models.PositiveIntegerField(_("révision"))
    banner_hash = models.CharField(_("empreinte du bandeau"), max_length=64)
    language = models.CharField(_("langue"), max_length=8)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    gpc = models.BooleanField(_("signal GPC"))
    user_agent = models.CharField(_("navigateur"), max_length=256, blank=True)
    page_path = models.CharField(_("page"), max_length=512, blank=True)

    objects = ConsentRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("enregistrement de consentement")
        verbose_name_plural = _("journal des consentements")
        # Nobody adds, changes or deletes a record from the admin; these say who may do the rest.
        permissions = [
            ("export_consentrecord", _("Peut exporter le journal et l'historique d'un identifiant")),
            ("purge_consentrecord", _("Peut purger les enregistrements expirés")),
            ("view_consent_analytics", _("Peut voir les statistiques de consentement")),
        ]
        indexes = [
            models.Index(fields=["decided_at", "id"], name="consent_rec_decided_idx"),
            models.Index(fields=["consent_id", "decided_at"], name="consent_rec_cid_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                # With Global Privacy Control, "accept all" leaves advertising off.
                condition=~models.Q(action="accept_all")
                | (models.Q(preferences=True, statistics=True) & (models.Q(advertising=True) | models.Q(gpc=True))),
                name="consent_accept_all_grants_all",
            ),
            models.CheckConstraint(
                condition=~models.Q(action__in=["reject_all", "close"])
                | models.Q(preferences=False, statistics=False, advertising=False),
                name="consent_refusal_grants_nothing",
            ),
            # recorded_at is the database's clock (the app role may not write it): a decision is never
            # dated ahead of it by more than the clock skew, nor behind it by more than the resend window.
            models.CheckConstraint(
                condition=models.Q(
                    decided_at__lte=models.F("recorded_at") + CLOCK_SKEW,
                    decided_at__gte=models.F("recorded_at") - MAX_RESEND_AGE,
                ),
                name="consent_decided_near_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consent_id} {self.action} {self.decided_at:%Y-%m-%d %H:%M}"

    def choices(self) -> dict[str, bool]:
        return {"necessary": True, **{slug: getattr(self, slug) for slug in OPTIONAL_PURPOSES}}


class DaySeal(models.Model):
    """The digest of one settled day of the consent log, chained to the previous day's (append-only).

    Written only by the owner's ``consent_seal_next_day()`` (migration 0012), which ``manage.py
    seal_consents`` calls; the table and its trigger come from migration 0008
    (unmanaged here, so that a test flush never tries to truncate it). See docs/decisions/0006-daily-seals.md.
    """

    day = models.DateField(_("jour"), primary_key=True, help_text=_("Jour à l'heure de Paris."))
    version = models.PositiveSmallIntegerField(
        _("version"), help_text=_("Version de la définition des empreintes (docs/decisions/0006-daily-seals.md).")
    )
    records = models.PositiveIntegerField(_("décisions"))
    records_digest = models.CharField(_("empreinte des décisions"), max_length=64)
    previous_digest = models.CharField(_("sceau précédent"), max_length=64)
    digest = models.CharField(_("sceau"), max_length=64)
    sealed_at = models.DateTimeField(_("scellé le"), db_default=Now())

    class Meta:
        managed = False
        ordering = ["day"]
        default_permissions = ()  # read through the export permission of the log; written by the command only
        verbose_name = _("sceau journalier")
        verbose_name_plural = _("sceaux journaliers")

    def __str__(self) -> str:
        return f"{self.day} {self.digest[:12]}"


class SealTimestamp(models.Model):
    """An RFC 3161 timestamp token of one seal: a timestamping authority's signature that the seal
    existed at ``timestamped_at`` (docs/decisions/0006-daily-seals.md). Append-only, unmanaged like
    the seals (migration 0013); written by ``manage.py seal_consents`` when ``SEAL_TSA_URL`` is set."""

    day = models.DateField(_("jour"), primary_key=True, help_text=_("Le jour du sceau horodaté."))
    token = models.BinaryField(_("jeton d'horodatage (DER)"))
    timestamped_at = models.DateTimeField(_("horodaté le"), help_text=_("L'heure signée par l'autorité."))
    tsa_url = models.CharField(_("autorité d'horodatage"), max_length=500)
    stored_at = models.DateTimeField(_("enregistré le"), db_default=Now())

    class Meta:
        managed = False
        ordering = ["day"]
        default_permissions = ()
        verbose_name = _("horodatage de sceau")
        verbose_name_plural = _("horodatages de sceaux")

    def __str__(self) -> str:
        return f"{self.day} {self.timestamped_at:%Y-%m-%d %H:%M:%S}"


# Tables whose rows PostgreSQL keeps as written: the app role may only SELECT and INSERT them, and a
# trigger refuses UPDATE, DELETE and TRUNCATE to everyone but the retention purge (decision 0005).
# A migration that adds a table here installs its guard (consent.privileges.guard_sql) and then runs
# consent.privileges.grant; tests/conftest.py empties these tables through the owner between tests.
APPEND_ONLY_TABLES = (
    ConsentRecord._meta.db_table,
    BannerVersion._meta.db_table,
    DaySeal._meta.db_table,
    SealTimestamp._meta.db_table,
)


class UndeclaredCookie(models.Model):
    """A cookie name seen in visitors' browsers that no declaration covers (reported by consent.js)."""

    name = models.CharField(_("nom"), max_length=128, unique=True)
    first_seen = models.DateTimeField(_("vu la première fois"), db_default=Now())
    last_seen = models.DateTimeField(_("vu la dernière fois"), db_default=Now())
    reports = models.PositiveIntegerField(_("signalements"), default=1)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = _("cookie non déclaré")
        verbose_name_plural = _("cookies non déclarés")

    def __str__(self) -> str:
        return self.name
