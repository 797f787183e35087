from django.urls import path

from tracking import views

app_name = "tracking"

# Outside i18n_patterns: these URLs are printed in e-mails already sent and must never change.
urlpatterns = [
    path("o/<str:token>", views.open_pixel, name="open-pixel"),
    path("l/<str:token>", views.click, name="click"),
    path("goto/<str:token>", views.goto, name="goto"),
    path("api/v2/transactional_emails/unsubscribe", views.unsubscribe_view, name="unsubscribe"),
    path("email-tracking/off/<str:token>", views.tracking_off, name="tracking-off"),
    path("email-tracking/on/<str:token>", views.tracking_on, name="tracking-on"),
]
