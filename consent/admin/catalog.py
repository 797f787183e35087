"""'Ajouter depuis le catalogue': a marketer picks a vendor, fills in its account ID, sees what will be
declared and under which purpose, and confirms; consent/catalog/services.py does the rest."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from consent.catalog import CATALOG, Vendor
from consent.catalog.services import CatalogRefused, add_from_catalog
from consent.models import Placement, PurposeSlug

PERMISSIONS = ("consent.add_provider", "consent.add_cookie", "consent.add_vendortag")


class VendorForm(forms.Form):
    """The vendor's placeholders, each with the shape its vendor gives, and where its tag goes."""

    placement = forms.ChoiceField(label=_("Emplacement"), choices=Placement.choices, initial=Placement.BODY)

    def __init__(self, vendor: Vendor, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for placeholder in vendor.placeholders:
            self.fields[placeholder.marker] = forms.CharField(
                label=placeholder.label_fr,
                max_length=2000,
                help_text=gettext("Par exemple « %(example)s ».") % {"example": placeholder.example},
                validators=[
                    RegexValidator(
                        f"^(?:{placeholder.pattern})$",
                        gettext("« %(label)s » doit ressembler à « %(example)s ».")
                        % {"label": placeholder.label_fr, "example": placeholder.example},
                    )
                ],
            )


def add_from_catalog_view(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    if not all(request.user.has_perm(permission) for permission in PERMISSIONS):
        raise PermissionDenied
    vendor = CATALOG.get(request.POST.get("vendor") or request.GET.get("vendor") or "")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": gettext("Ajouter depuis le catalogue"),
        "catalog": sorted(CATALOG.values(), key=lambda v: v.name.lower()),
        "vendor": vendor,
    }
    if vendor is None:
        if request.method == "POST" or request.GET.get("vendor"):
            context["error"] = gettext("Ce fournisseur n'est pas dans le catalogue.")
        return TemplateResponse(
            request, "admin/consent/provider/catalog.html", context, status=400 if "error" in context else 200
        )
    form = VendorForm(vendor, request.POST if request.method == "POST" else None)
    context |= {"form": form, "purpose": PurposeSlug(vendor.purpose).label}
    if request.method != "POST" or not form.is_valid():
        return TemplateResponse(
            request, "admin/consent/provider/catalog.html", context, status=400 if form.is_bound else 200
        )
    values = {p.marker: form.cleaned_data[p.marker] for p in vendor.placeholders}
    if request.POST.get("step") != "confirm":
        context["preview"] = vendor.filled(values)
        return TemplateResponse(request, "admin/consent/provider/catalog.html", context)
    try:
        added = add_from_catalog(vendor=vendor, values=values, placement=form.cleaned_data["placement"])
    except CatalogRefused as error:  # the form checked the same shapes; kept for callers without it
        context["error"] = str(error)
        return TemplateResponse(request, "admin/consent/provider/catalog.html", context, status=400)
    messages.success(
        request,
        gettext(
            "%(vendor)s ajouté : %(created)s traceurs déclarés (%(kept)s l'étaient déjà), sa balise attend le"
            " consentement « %(purpose)s » sur chaque page. Publiez une révision pour que les visiteurs le voient."
        )
        % {
            "vendor": vendor.name,
            "created": added.cookies_created,
            "kept": added.cookies_kept,
            "purpose": context["purpose"],
        },
    )
    return HttpResponseRedirect(reverse("admin:consent_provider_change", args=[added.tag.provider_id]))
