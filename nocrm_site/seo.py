"""What search engines and link previews read: the public pages, their titles and descriptions,
absolute URLs from ``SITE_URL``, and the structured data of the organisation and the software.

Absolute URLs come from the ``SITE_URL`` setting, never from the request's Host: pages are rendered
once and cached, so a forged Host would be served to everyone (docs/decisions/0008).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import translate_url
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Page:
    title: str | Promise
    description: str | Promise


# URL name -> title and description; every public page, in the order of the sitemap.
PAGES: dict[str, Page] = {
    "home": Page(
        gettext_lazy("Le CRM de prospection pour les commerciaux"),
        gettext_lazy(
            "noCRM.io range chaque prospect dans un pipeline clair et dit à vos commerciaux qui relancer"
            " aujourd'hui. Essai gratuit de 15 jours."
        ),
    ),
    "features": Page(
        gettext_lazy("Fonctionnalités"),
        gettext_lazy(
            "Pipeline visuel, relances programmées, capture de leads, prospection par listes, rapports"
            " et intégrations : ce que fait noCRM.io."
        ),
    ),
    "pricing": Page(
        gettext_lazy("Tarifs"),
        gettext_lazy("Les formules de noCRM.io comparées, leurs prix par utilisateur et les questions fréquentes."),
    ),
    "contact": Page(
        gettext_lazy("Contact"),
        gettext_lazy("Demandez une démo de noCRM.io ou posez votre question : notre équipe vous répond."),
    ),
    "legal": Page(
        gettext_lazy("Mentions légales"),
        gettext_lazy("L'éditeur du site www.nocrm.io et du logiciel noCRM.io, son adresse et son immatriculation."),
    ),
    "privacy": Page(
        gettext_lazy("Politique de confidentialité"),
        gettext_lazy(
            "Les données personnelles que traite www.nocrm.io, pourquoi, combien de temps, avec qui, et vos droits."
        ),
    ),
    "cookie-policy": Page(
        gettext_lazy("Politique cookies"),
        gettext_lazy(
            "Les cookies et traceurs de www.nocrm.io et de nos e-mails, et comment les accepter ou les refuser."
        ),
    ),
}


@dataclass(frozen=True)
class Plan:
    name: str
    monthly_price: int  # euros per user and month, billed yearly, before tax
    summary: str | Promise


PLANS = (
    Plan("Starter", 15, gettext_lazy("Pour le commercial indépendant qui veut un pipeline net.")),
    Plan("Sales Expert", 25, gettext_lazy("Pour les équipes : rapports, automatisations et prospection par listes.")),
    Plan(
        "Dream Team", 35, gettext_lazy("Pour les équipes exigeantes : droits avancés, API étendue et accompagnement.")
    ),
)


# What each plan includes, in the order of PLANS (from the plans' own summaries above).
PLAN_COMPARISON: tuple[tuple[str | Promise, tuple[bool, bool, bool]], ...] = (
    (gettext_lazy("Pipeline visuel et relances programmées"), (True, True, True)),
    (gettext_lazy("Essai gratuit de 15 jours, sans engagement"), (True, True, True)),
    (gettext_lazy("Rapports d'équipe"), (False, True, True)),
    (gettext_lazy("Automatisations"), (False, True, True)),
    (gettext_lazy("Prospection par listes"), (False, True, True)),
    (gettext_lazy("Droits avancés"), (False, False, True)),
    (gettext_lazy("API étendue"), (False, False, True)),
    (gettext_lazy("Accompagnement"), (False, False, True)),
)


def absolute(path: str) -> str:
    """``path`` on the public origin (``SITE_URL``)."""
    return settings.SITE_URL.rstrip("/") + path


def alternates(path: str) -> list[tuple[str, str]]:
    """(hreflang, absolute URL) of ``path`` in each language, then x-default (the default language)."""
    links = [(code, absolute(translate_url(path, code))) for code, _name in settings.LANGUAGES]
    return [*links, ("x-default", absolute(translate_url(path, settings.LANGUAGE_CODE)))]


def structured_data() -> list[dict[str, Any]]:
    """JSON-LD of the organisation and of the software with its plans (in the current language)."""
    organisation = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "@id": absolute("/#organization"),
        "name": "noCRM.io",
        "legalName": "Positive Group Sales Solutions",
        "url": absolute("/"),
        "logo": absolute(static("img/apple-touch-icon.png")),
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "3 Avenue Antoine Pinay, P.A. des Quatre Vents",
            "postalCode": "59510",
            "addressLocality": "Hem",
            "addressCountry": "FR",
        },
    }
    software = {
        "@context": "https://schema.org",
        "@type": "SoftwareApplication",
        "name": "noCRM.io",
        "applicationCategory": "BusinessApplication",
        "operatingSystem": "Web, iOS, Android",
        "description": str(PAGES["home"].description),
        "publisher": {"@id": absolute("/#organization")},
        "offers": [
            {
                "@type": "Offer",
                "name": plan.name,
                "price": str(plan.monthly_price),
                "priceCurrency": "EUR",
                "description": _("Par utilisateur et par mois, hors taxes, facturé annuellement."),
            }
            for plan in PLANS
        ],
    }
    return [organisation, software]
