from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import URLPattern, include, path
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from consent.backoffice import inclusion
from consent.visitor import receipt_views
from consent.visitor import views as consent_views
from leads import views as lead_views
from nocrm_site import admin_login, views
from nocrm_site.page_cache import static_page
from nocrm_site.sitemaps import SITEMAPS


def page(route: str | Promise, template: str, name: str) -> URLPattern:
    """A marketing page: the same HTML for every visitor, so served from memory (see page_cache)."""
    view = TemplateView.as_view(template_name=f"pages/{template}.html")
    return path(route, static_page(view), name=name)  # type: ignore[arg-type]  # it answers an HttpResponse


# The admin is the back office of marketers, sales and the DPO: it names the product, not Django.
admin.site.site_header = "noCRM.io — back-office"
admin.site.site_title = "noCRM.io"
admin.site.index_title = _("Back-office du site")

urlpatterns = [
    # First: the decision endpoint, for every language (see consent/urls.py).
    path("", include("consent.urls")),
    path("healthz", views.healthz, name="healthz"),
    # For crawlers and browsers, at the root whatever the language; rendered once like the pages.
    path("robots.txt", static_page(views.robots_txt), name="robots"),
    path("sitemap.xml", static_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("favicon.ico", static_page(views.favicon), name="favicon"),
    path("admin/login/", admin_login.login),  # before the admin's own: attempts are rate-limited
    path("admin/", admin.site.urls),
    # E-mail trackers: URLs printed in sent e-mails, never language-prefixed.
    path("", include("tracking.urls")),
]

# French at /, English under /en/; URL words are translated too.
RECEIPTS = _("consent/parametres/recu/")
urlpatterns += i18n_patterns(
    page("", "home", "home"),
    page(_("fonctionnalites/"), "features", "features"),
    page(_("tarifs/"), "pricing", "pricing"),
    path(_("contact/"), lead_views.contact, name="contact"),
    path("", include("leads.urls")),
    page(_("mentions-legales/"), "legal", "legal"),
    path(_("confidentialite/"), static_page(views.privacy_policy), name="privacy"),
    path(_("cookies/"), static_page(views.cookie_policy), name="cookie-policy"),
    # The footer link's target without JavaScript: this visitor's choice, never cached.
    path(_("consent/parametres/"), consent_views.settings_page, name="cookie-settings"),
    # This visitor's receipts (the consent ID comes from the signed cookie only), to read or to keep.
    path(format_lazy("{}<uuid:decision_id>/", RECEIPTS), receipt_views.receipt_page, name="cookie-receipt"),
    path(format_lazy("{}<uuid:decision_id>.json", RECEIPTS), receipt_views.receipt_json, name="cookie-receipt-json"),
    # Once its day is sealed: the day's record hashes and the seal (decision 0006), for sha256sum.
    path(
        format_lazy("{}<uuid:decision_id>/inclusion.json", RECEIPTS), inclusion.inclusion_proof, name="cookie-inclusion"
    ),
    prefix_default_language=False,
)
