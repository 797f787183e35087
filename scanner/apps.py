from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScannerConfig(AppConfig):
    name = "scanner"
    verbose_name = _("Scanner de cookies")
