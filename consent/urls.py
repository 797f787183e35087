from django.urls import path

from consent.visitor import views

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
]
