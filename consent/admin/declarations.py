"""Admin for marketers: purposes, providers, cookie and e-mail tracker declarations."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from consent.admin.catalog import add_from_catalog_view
from consent.backoffice.revisions import declaration_changes
from consent.backoffice.withdrawals import withdrawals_since
from consent.catalog import CATALOG
from consent.models import Cookie, EmailTracker, Provider, Purpose, UndeclaredCookie, VendorDeletion, VendorTag
from consent.visitor.snapshot import get_snapshot


class WarnsOfUnpublishedChanges:
    """Says on the declarations' lists when visitors have not seen what changed, and how to ask them."""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        changes = declaration_changes(get_snapshot())
        if changes:
            described = "; ".join(
                c.label
                + (f" (+ {', '.join(c.added)})" if c.added else "")
                + (f" (− {', '.join(c.removed)})" if c.removed else "")
                for c in changes
            )
            text = gettext(
                "Déclarations modifiées depuis la dernière révision : %(changes)s. Les visiteurs qui ont "
                "choisi sous cette révision ne les ont pas vues."
            ) % {"changes": described}
            if request.user.has_perm("consent.bump_policyrevision"):
                url = reverse("admin:consent_policyrevision_bump")
                text = format_html('{} <a href="{}">{}</a>', text, url, gettext("Publier une nouvelle révision"))
            messages.warning(request, text)
        return super().changelist_view(request, extra_context)  # type: ignore[misc]  # a ModelAdmin mixin


class CookieInline(TranslationTabularInline):
    model = Cookie
    extra = 0
    fields = ("name", "provider", "description", "duration", "party", "path", "order")
    autocomplete_fields = ("provider",)


@admin.register(Purpose)
class PurposeAdmin(WarnsOfUnpublishedChanges, TranslationAdmin):
    list_display = ("name", "slug", "required", "order", "cookie_count")
    list_editable = ("order",)
    ordering = ("order",)
    inlines = [CookieInline]

    @admin.display(description=_("traceurs"))
    def cookie_count(self, purpose: Purpose) -> int:
        return purpose.cookies.count()

    def has_add_permission(self, request) -> bool:
        # The four purposes are fixed by the code (consent cookie, Consent Mode mapping).
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ProviderCookieInline(CookieInline):
    autocomplete_fields = ()  # type: ignore[assignment]
    fields = ("name", "purpose", "description", "duration", "party", "path", "order")


class VendorTagInline(admin.TabularInline):
    model = VendorTag
    extra = 0
    fields = ("vendor", "purpose", "placement", "active")
    readonly_fields = ("vendor", "purpose")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class EmailTrackerInline(TranslationTabularInline):
    model = EmailTracker
    extra = 0


@admin.register(Provider)
class ProviderAdmin(WarnsOfUnpublishedChanges, admin.ModelAdmin):
    list_display = ("name", "legal_name", "country", "privacy_policy_url", "hosts")
    search_fields = ("name",)
    inlines = [ProviderCookieInline, VendorTagInline, EmailTrackerInline]
    change_list_template = "admin/consent/provider/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(lambda request: add_from_catalog_view(request, self))
        return [path("catalog/", view, name="consent_provider_catalog"), *super().get_urls()]


@admin.register(VendorTag)
class VendorTagAdmin(WarnsOfUnpublishedChanges, admin.ModelAdmin):
    list_display = ("provider", "vendor", "purpose", "placement", "active", "created_at")
    list_filter = ("purpose", "active")
    list_select_related = ("provider", "purpose")
    fields = ("provider", "vendor", "purpose", "placement", "active", "values", "html")
    readonly_fields = ("provider", "vendor", "values", "html")  # made from the catalog, never by hand

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # "Ajouter depuis le catalogue", on the providers' list


@admin.register(Cookie)
class CookieAdmin(WarnsOfUnpublishedChanges, TranslationAdmin):
    list_display = ("name", "provider", "purpose", "party", "duration", "order")
    list_filter = ("purpose", "party", "provider")
    list_select_related = ("provider", "purpose")
    search_fields = ("name", "provider__name", "description_fr", "description_en")
    autocomplete_fields = ("provider",)
    ordering = ("purpose__order", "order", "name")


@admin.register(EmailTracker)
class EmailTrackerAdmin(TranslationAdmin):
    list_display = ("url_shape", "provider", "audience", "kind", "order")
    list_filter = ("audience", "kind", "provider")
    list_select_related = ("provider",)
    search_fields = ("url_shape", "provider__name")


@admin.register(UndeclaredCookie)
class UndeclaredCookieAdmin(admin.ModelAdmin):
    """Names that visitors' browsers hold and no declaration covers: to declare, or to remove."""

    list_display = ("name", "reports", "first_seen", "last_seen")
    search_fields = ("name",)
    readonly_fields = ("name", "reports", "first_seen", "last_seen")

    def has_add_permission(self, request) -> bool:
        return False


class SinceForm(forms.Form):
    since = forms.DateField(label=_("Depuis le"), widget=forms.DateInput(attrs={"type": "date"}))


@admin.register(VendorDeletion)
class VendorDeletionAdmin(admin.ModelAdmin):
    """For the DPO: each withdrawal passed on to a vendor, whether it went through, and the vendor's own
    procedure where the request must be made by hand (the catalog's)."""

    list_display = ("requested_at", "vendor", "status", "attempts", "sent_at", "procedure")
    list_filter = ("status", "vendor")
    readonly_fields = ("vendor", "requested_at", "status", "attempts", "next_attempt_at", "sent_at", "last_error")
    exclude = ("identifier",)  # the visitor's ID at the vendor: sent, never shown

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.withdrawals_view)
        return [path("withdrawals/", view, name="consent_vendordeletion_withdrawals"), *super().get_urls()]

    def withdrawals_view(self, request: HttpRequest) -> HttpResponse:
        """Per vendor declared from the catalog: the withdrawals of its purpose since a date, and how to
        ask it to delete (automatic for vendors with an API, by the vendor's procedure otherwise)."""
        if not request.user.has_perm("consent.view_vendordeletion"):
            raise PermissionDenied
        form = SinceForm(request.GET or None)
        since = form.cleaned_data["since"] if form.is_valid() else timezone.localdate() - timedelta(days=30)
        start = timezone.make_aware(datetime.combine(since, time.min))
        counts = withdrawals_since(start)
        rows = []
        for tag in VendorTag.objects.select_related("provider", "purpose").order_by("provider__name"):
            vendor = CATALOG.get(tag.vendor)
            rows.append(
                {
                    "provider": tag.provider.name,
                    "purpose": tag.purpose.name,
                    "withdrawals": counts.get(tag.purpose.slug, 0),
                    "procedure": vendor.deletion if vendor else "",
                    "automatic": bool(vendor and vendor.deletion_api),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Retraits à transmettre aux fournisseurs"),
            "form": form,
            "since": since,
            "rows": rows,
        }
        status = 400 if form.is_bound and not form.is_valid() else 200
        return TemplateResponse(request, "admin/consent/vendordeletion/withdrawals.html", context, status=status)

    @admin.display(description=_("procédure du fournisseur"))
    def procedure(self, deletion: VendorDeletion) -> str:
        vendor = CATALOG.get(deletion.vendor)
        return vendor.deletion if vendor else ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
