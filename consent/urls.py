from django.urls import path, re_path

from consent.visitor import receipt_views, views

app_name = "consent"

# The endpoints of consent.js and the no-JS forms, at the root for every language and first of the
# site's URLs: a decision is the busiest request that is not a page, and each pattern tried before it
# costs it a regular expression (bench: POST /consent/). A record's language is the language of the
# banner version it names, not the URL's. The settings page is a page: it stays under the language
# prefixes (nocrm_site/urls.py).
urlpatterns = [
    path("consent/", views.update, name="update"),
    path("consent/state.css", views.state_css, name="state-css"),
    path("consent/report/", views.report_cookies, name="report"),
    # English pages used to name these under /en/: kept for the tabs and cached pages that still do.
    path("en/consent/", views.update),
    path("en/consent/state.css", views.state_css),
    path("en/consent/report/", views.report_cookies),
    # Consent receipts: the keys that check them, and the banner versions they name as their notice
    # (docs/decisions/0013-consent-receipts.md); the receipts themselves are under the settings page.
    path(".well-known/consent-receipt-keys.json", receipt_views.receipt_keys, name="receipt-keys"),
    re_path(r"^consent/bandeau/(?P<banner_hash>[0-9a-f]{64})/$", receipt_views.banner_version, name="banner-version"),
]
