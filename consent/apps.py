from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Consentement et traceurs")

    def ready(self) -> None:
        from consent import checks  # noqa: F401  (registers the system checks)
        from consent.backoffice import retention
        from consent.visitor import snapshot

        snapshot.connect_invalidation()
        post_migrate.connect(retention.after_migrate, sender=self, dispatch_uid="consent.store_retention_period")
        post_migrate.connect(checks.after_migrate, sender=self, dispatch_uid="consent.check_app_role")
