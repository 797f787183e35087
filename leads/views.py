"""The contact / demo-request page, its prefilled variant (the home page's short form), its
confirmation page, and the 429 answer of the rate limit."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from guards.origin import is_same_origin
from leads import captcha
from leads.forms import LeadForm
from leads.services import submit_lead
from ratelimit.services import register_client_hit


@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        allowed = register_client_hit(
            scope="leads",
            request=request,
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
        form = LeadForm()
    return _contact_page(request, form)


@never_cache
@csrf_exempt  # it stores nothing and sends nothing; the home page that posts here carries no token
@require_POST
def prefill(request: HttpRequest) -> HttpResponse:
    """The contact page with what the home page's short form sent. A POST, so that the e-mail address
    and the company never appear in a URL (history, access logs, the Referer of third parties)."""
    if not is_same_origin(request):
        return HttpResponseForbidden("Cross-site request refused.")
    return _contact_page(request, LeadForm(initial=LeadForm.prefill(request.POST)))


def _contact_page(request: HttpRequest, form: LeadForm) -> HttpResponse:
    context = {
        "form": form,
        "captcha_sitekey": settings.FRIENDLY_CAPTCHA_SITEKEY if captcha.is_enabled() else "",
        "captcha_endpoint": settings.FRIENDLY_CAPTCHA_API_ENDPOINT,
    }
    return render(request, "leads/contact.html", context)


@require_safe
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "leads/thanks.html")
