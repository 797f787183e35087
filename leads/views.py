"""The contact / demo-request page, its confirmation page, and the 429 answer of the rate limit."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from leads import captcha
from leads.forms import LeadForm
from leads.services import submit_lead
from ratelimit.clients import client_key
from ratelimit.services import register_hit


@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        allowed = register_hit(
            scope="leads",
            client=client_key(request),
            limit=settings.LEADS_RATE_LIMIT,
            window=settings.LEADS_RATE_LIMIT_WINDOW,
        )
        if not allowed:
            return render(request, "leads/rate_limited.html", status=429)
        form = LeadForm(request.POST)
        if form.is_spam():
            # The same answer as a real submission: a bot learns nothing.
            return redirect("leads:thanks")
        if form.is_valid():
            submit_lead(**form.lead_fields(), language=get_language())
            return redirect("leads:thanks")
    else:
        form = LeadForm(initial=LeadForm.prefill(request.GET))
    context = {
        "form": form,
        "captcha_sitekey": settings.FRIENDLY_CAPTCHA_SITEKEY if captcha.is_enabled() else "",
        "captcha_endpoint": settings.FRIENDLY_CAPTCHA_API_ENDPOINT,
    }
    return render(request, "leads/contact.html", context)


@require_safe
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "leads/thanks.html")
