from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "nocrm_site"

    def ready(self) -> None:
        from consent.visitor.snapshot import declarations_changed
        from nocrm_site import purge

        declarations_changed.connect(purge.purge_pages, dispatch_uid="nocrm_site.purge_pages")
