from django.urls import path
from django.utils.translation import gettext_lazy as _

from consent.visitor import views

app_name = "consent"

# Included under i18n_patterns: /consent/ for French pages, /en/consent/ for English ones, so that
# a record's language is the page's.
urlpatterns = [
    path("consent/", views.update, name="update"),
    path(_("consent/parametres/"), views.settings_page, name="settings"),
    path("consent/state.css", views.state_css, name="state-css"),
    path("consent/report/", views.report_cookies, name="report"),
]
