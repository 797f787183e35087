from django.urls import path
from django.utils.translation import gettext_lazy as _

from leads import views

app_name = "leads"

# Included under i18n_patterns. The form itself answers at the site's "contact" URL
# (nocrm_site/urls.py), whose name the header links use.
urlpatterns = [
    path(_("contact/merci/"), views.thanks, name="thanks"),
    path(_("contact/demande/"), views.prefill, name="prefill"),
]
