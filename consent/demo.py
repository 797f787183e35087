"""Demo declarations: what a SaaS marketing site like www.nocrm.io typically sets.

Loaded by ``manage.py load_demo``. Each record below is written for the marketer who reads it: one
purpose, provider, cookie or e-mail tracker, with its texts in French and English. Every row is
matched on a natural key (purpose slug; provider name; cookie provider, name and path; tracker
provider and URL shape), so loading twice changes nothing. Durations and purposes follow the
providers' own documentation as of 2026.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from consent.models import Audience, Cookie, EmailTracker, Party, PolicyRevision, Provider, Purpose, TrackerKind
from consent.visitor.snapshot import banner_hash, build_snapshot


@dataclass(frozen=True)
class Text:
    """A text shown to visitors, in each language of the site."""

    fr: str
    en: str


@dataclass(frozen=True)
class DemoPurpose:
    slug: str
    order: int
    required: bool
    name: Text
    description: Text


@dataclass(frozen=True)
class DemoCookie:
    provider: str
    name: str
    purpose: str
    party: str
    description: Text
    duration: Text


@dataclass(frozen=True)
class DemoTracker:
    provider: str
    audience: str
    url_shape: str
    kind: str
    description: Text


PURPOSES = [
    DemoPurpose(
        slug="necessary",
        order=0,
        required=True,
        name=Text(fr="Strictement nécessaires", en="Strictly necessary"),
        description=Text(
            fr="Indispensables pour que le site fonctionne et reste sûr : mémoriser vos choix de cookies, protéger les formulaires. Ils ne peuvent pas être désactivés.",
            en="Needed for the site to work and stay secure: remembering your cookie choices, protecting forms. They cannot be switched off.",
        ),
    ),
    DemoPurpose(
        slug="preferences",
        order=1,
        required=False,
        name=Text(fr="Préférences et fonctionnalités", en="Preferences and features"),
        description=Text(
            fr="Retiennent vos réglages et font fonctionner des services comme la messagerie instantanée avec notre équipe.",
            en="Remember your settings and run services such as live chat with our team.",
        ),
    ),
    DemoPurpose(
        slug="statistics",
        order=2,
        required=False,
        name=Text(fr="Statistiques et mesure d'audience", en="Statistics and audience measurement"),
        description=Text(
            fr="Nous disent quelles pages sont lues et comment le site est utilisé, pour l'améliorer.",
            en="Tell us which pages are read and how the site is used, so that we can improve it.",
        ),
    ),
    DemoPurpose(
        slug="advertising",
        order=3,
        required=False,
        name=Text(fr="Publicité", en="Advertising"),
        description=Text(
            fr="Mesurent nos campagnes et permettent à nos partenaires publicitaires de vous montrer des annonces adaptées, sur ce site et ailleurs.",
            en="Measure our campaigns and let our advertising partners show you relevant ads, here and elsewhere.",
        ),
    ),
]

# Provider -> its privacy policy and the domains its scripts, calls and cookies use (for the scanner).
PROVIDERS = {
    "noCRM.io": ("https://www.nocrm.io/cookies/", ""),
    "Google": (
        "https://policies.google.com/privacy",
        "google-analytics.com, analytics.google.com, doubleclick.net, googleadservices.com, googlesyndication.com",
    ),
    # Loads tags and stores nothing itself (the cookie policy says so): it declares no cookie.
    "Google Tag Manager": ("https://policies.google.com/privacy", "googletagmanager.com"),
    "LinkedIn": ("https://www.linkedin.com/legal/privacy-policy", "licdn.com, linkedin.com"),
    "Meta": ("https://www.facebook.com/privacy/policy/", "facebook.net, facebook.com"),
    "HubSpot": ("https://legal.hubspot.com/privacy-policy", "hs-scripts.com, hs-analytics.net, hubspot.com"),
    "Intercom": ("https://www.intercom.com/legal/privacy", "intercom.io, intercomcdn.com"),
    "Nylas": ("https://www.nylas.com/privacy-policy/", ""),
    "Positive Group Sales Solutions": ("https://www.nocrm.io/cookies/", ""),
}

COOKIES = [
    DemoCookie(
        provider="noCRM.io",
        name="__Host-nocrm_consent",
        purpose="necessary",
        party=Party.FIRST,
        description=Text(
            fr="Retient vos choix de cookies et votre identifiant de consentement.",
            en="Remembers your cookie choices and your consent ID.",
        ),
        duration=Text(fr="6 mois", en="6 months"),
    ),
    DemoCookie(
        provider="noCRM.io",
        name="csrftoken",
        purpose="necessary",
        party=Party.FIRST,
        description=Text(
            fr="Protège les formulaires contre les envois frauduleux depuis un autre site.",
            en="Protects forms against forged submissions from other sites.",
        ),
        duration=Text(fr="1 an", en="1 year"),
    ),
    DemoCookie(
        provider="noCRM.io",
        name="sessionid",
        purpose="necessary",
        party=Party.FIRST,
        description=Text(
            fr="Garde la session des personnes connectées à l'administration.",
            en="Keeps administrators signed in.",
        ),
        duration=Text(fr="2 semaines", en="2 weeks"),
    ),
    DemoCookie(
        provider="Intercom",
        name="intercom-id-*",
        purpose="preferences",
        party=Party.FIRST,
        description=Text(
            fr="Reconnaît votre navigateur pour reprendre une conversation de chat.",
            en="Recognises your browser to resume a chat conversation.",
        ),
        duration=Text(fr="9 mois", en="9 months"),
    ),
    DemoCookie(
        provider="Intercom",
        name="intercom-session-*",
        purpose="preferences",
        party=Party.FIRST,
        description=Text(
            fr="Garde la conversation de chat ouverte d'une page à l'autre.",
            en="Keeps the chat conversation open from page to page.",
        ),
        duration=Text(fr="7 jours", en="7 days"),
    ),
    DemoCookie(
        provider="Google",
        name="_ga",
        purpose="statistics",
        party=Party.FIRST,
        description=Text(
            fr="Google Analytics 4 : distingue les visiteurs pour compter les visites.",
            en="Google Analytics 4: tells visitors apart to count visits.",
        ),
        duration=Text(fr="13 mois", en="13 months"),
    ),
    DemoCookie(
        provider="Google",
        name="_ga_*",
        purpose="statistics",
        party=Party.FIRST,
        description=Text(
            fr="Google Analytics 4 : garde l'état de la session de mesure.",
            en="Google Analytics 4: keeps the state of the measured session.",
        ),
        duration=Text(fr="13 mois", en="13 months"),
    ),
    DemoCookie(
        provider="HubSpot",
        name="__hstc",
        purpose="statistics",
        party=Party.FIRST,
        description=Text(
            fr="HubSpot : suit les visites pour les statistiques de marketing.",
            en="HubSpot: tracks visits for marketing statistics.",
        ),
        duration=Text(fr="6 mois", en="6 months"),
    ),
    DemoCookie(
        provider="HubSpot",
        name="hubspotutk",
        purpose="statistics",
        party=Party.FIRST,
        description=Text(
            fr="HubSpot : relie les visites d'un même navigateur.",
            en="HubSpot: links visits from one browser.",
        ),
        duration=Text(fr="6 mois", en="6 months"),
    ),
    DemoCookie(
        provider="Google",
        name="_gcl_au",
        purpose="advertising",
        party=Party.FIRST,
        description=Text(
            fr="Google Ads : mesure les conversions issues de nos annonces.",
            en="Google Ads: measures conversions from our ads.",
        ),
        duration=Text(fr="90 jours", en="90 days"),
    ),
    DemoCookie(
        provider="Google",
        name="IDE",
        purpose="advertising",
        party=Party.THIRD,
        description=Text(
            fr="Google (DoubleClick) : affiche et mesure des annonces ciblées.",
            en="Google (DoubleClick): shows and measures targeted ads.",
        ),
        duration=Text(fr="13 mois", en="13 months"),
    ),
    DemoCookie(
        provider="LinkedIn",
        name="li_fat_id",
        purpose="advertising",
        party=Party.FIRST,
        description=Text(
            fr="LinkedIn Insight : attribue les conversions aux campagnes LinkedIn.",
            en="LinkedIn Insight: attributes conversions to LinkedIn campaigns.",
        ),
        duration=Text(fr="30 jours", en="30 days"),
    ),
    DemoCookie(
        provider="LinkedIn",
        name="bcookie",
        purpose="advertising",
        party=Party.THIRD,
        description=Text(
            fr="LinkedIn : identifie le navigateur pour la publicité.",
            en="LinkedIn: identifies the browser for advertising.",
        ),
        duration=Text(fr="1 an", en="1 year"),
    ),
    DemoCookie(
        provider="Meta",
        name="_fbp",
        purpose="advertising",
        party=Party.FIRST,
        description=Text(
            fr="Pixel Meta : mesure et cible les publicités Facebook et Instagram.",
            en="Meta pixel: measures and targets Facebook and Instagram ads.",
        ),
        duration=Text(fr="90 jours", en="90 days"),
    ),
]

EMAIL_TRACKERS = [
    DemoTracker(
        provider="Nylas",
        audience=Audience.CONTACTS,
        url_shape=".../o/xxx.xxx",
        kind=TrackerKind.IMAGE,
        description=Text(
            fr="Détecte l'ouverture du message.",
            en="Detects that the message was opened.",
        ),
    ),
    DemoTracker(
        provider="Nylas",
        audience=Audience.CONTACTS,
        url_shape=".../l/xxx.xxx",
        kind=TrackerKind.LINK,
        description=Text(
            fr="Enregistre le clic sur un lien puis redirige vers l'adresse prévue.",
            en="Records the click on a link, then redirects to the intended address.",
        ),
    ),
    DemoTracker(
        provider="Positive Group Sales Solutions",
        audience=Audience.USERS,
        url_shape=".../goto/xxx.xxx?clicked_url=",
        kind=TrackerKind.LINK,
        description=Text(
            fr="Enregistre le clic sur un lien puis redirige vers l'adresse indiquée par clicked_url.",
            en="Records the click on a link, then redirects to the address given in clicked_url.",
        ),
    ),
    DemoTracker(
        provider="Positive Group Sales Solutions",
        audience=Audience.USERS,
        url_shape=".../api/v2/transactional_emails/unsubscribe?signature=xxx..xxx",
        kind=TrackerKind.LINK,
        description=Text(
            fr="Désinscription en un clic depuis l'en-tête « List-Unsubscribe ».",
            en="One-click unsubscribe from the List-Unsubscribe header.",
        ),
    ),
]


@transaction.atomic
def load_demo() -> None:
    """Create or update the demo declarations and the first policy revision."""
    purposes = {}
    for p in PURPOSES:
        purposes[p.slug], _ = Purpose.objects.update_or_create(
            slug=p.slug,
            defaults={
                "order": p.order,
                "required": p.required,
                "name_fr": p.name.fr,
                "name_en": p.name.en,
                "description_fr": p.description.fr,
                "description_en": p.description.en,
            },
        )
    providers = {
        name: Provider.objects.update_or_create(name=name, defaults={"privacy_policy_url": url, "hosts": hosts})[0]
        for name, (url, hosts) in PROVIDERS.items()
    }
    for order, c in enumerate(COOKIES):
        Cookie.objects.update_or_create(
            provider=providers[c.provider],
            name=c.name,
            path="/",
            defaults={
                "purpose": purposes[c.purpose],
                "party": c.party,
                "order": order,
                "description_fr": c.description.fr,
                "description_en": c.description.en,
                "duration_fr": c.duration.fr,
                "duration_en": c.duration.en,
            },
        )
    for order, t in enumerate(EMAIL_TRACKERS):
        EmailTracker.objects.update_or_create(
            provider=providers[t.provider],
            url_shape=t.url_shape,
            defaults={
                "audience": t.audience,
                "kind": t.kind,
                "order": order,
                "description_fr": t.description.fr,
                "description_en": t.description.en,
            },
        )
    if not PolicyRevision.objects.exists():
        snapshot = build_snapshot("demo")
        PolicyRevision.objects.create(
            number=1,
            note="Première publication",
            banner_hash=banner_hash(snapshot),
            declarations=snapshot.declarations,
        )
