from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Consentement et traceurs")

    def ready(self) -> None:
        from consent.visitor import snapshot

        snapshot.connect_invalidation()
