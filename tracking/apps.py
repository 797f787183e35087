from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = _("Suivi des e-mails")

    def ready(self) -> None:
        from tracking import checks  # noqa: F401  (registers the settings checks)
