"""Demo declarations: what a SaaS marketing site like www.nocrm.io typically sets.

Loaded by ``manage.py load_demo``; every row is matched on a natural key, so loading twice changes
nothing. Durations and purposes follow the providers' own documentation as of 2026.
"""

from django.db import transaction

from consent.models import Audience, Cookie, EmailTracker, Party, PolicyRevision, Provider, Purpose
from consent.visitor.snapshot import banner_hash, build_snapshot

PURPOSES = [
    (
        "necessary",
        0,
        True,
        "Strictement nécessaires",
        "Strictly necessary",
        "Indispensables pour que le site fonctionne et reste sûr : mémoriser vos choix de cookies, protéger les formulaires. Ils ne peuvent pas être désactivés.",
        "Needed for the site to work and stay secure: remembering your cookie choices, protecting forms. They cannot be switched off.",
    ),
    (
        "preferences",
        1,
        False,
        "Préférences et fonctionnalités",
        "Preferences and features",
        "Retiennent vos réglages et font fonctionner des services comme la messagerie instantanée avec notre équipe.",
        "Remember your settings and run services such as live chat with our team.",
    ),
    (
        "statistics",
        2,
        False,
        "Statistiques et mesure d'audience",
        "Statistics and audience measurement",
        "Nous disent quelles pages sont lues et comment le site est utilisé, pour l'améliorer.",
        "Tell us which pages are read and how the site is used, so that we can improve it.",
    ),
    (
        "advertising",
        3,
        False,
        "Publicité",
        "Advertising",
        "Mesurent nos campagnes et permettent à nos partenaires publicitaires de vous montrer des annonces adaptées, sur ce site et ailleurs.",
        "Measure our campaigns and let our advertising partners show you relevant ads, here and elsewhere.",
    ),
]

PROVIDERS = {
    "noCRM.io": "https://www.nocrm.io/cookies/",
    "Google": "https://policies.google.com/privacy",
    "LinkedIn": "https://www.linkedin.com/legal/privacy-policy",
    "Meta": "https://www.facebook.com/privacy/policy/",
    "HubSpot": "https://legal.hubspot.com/privacy-policy",
    "Intercom": "https://www.intercom.com/legal/privacy",
    "Nylas": "https://www.nylas.com/privacy-policy/",
    "Positive Group Sales Solutions": "https://www.nocrm.io/cookies/",
}

# provider, name, purpose, party, fr description, en description, fr duration, en duration
COOKIES = [
    (
        "noCRM.io",
        "nocrm_consent",
        "necessary",
        Party.FIRST,
        "Retient vos choix de cookies et votre identifiant de consentement.",
        "Remembers your cookie choices and your consent ID.",
        "6 mois",
        "6 months",
    ),
    (
        "noCRM.io",
        "csrftoken",
        "necessary",
        Party.FIRST,
        "Protège les formulaires contre les envois frauduleux depuis un autre site.",
        "Protects forms against forged submissions from other sites.",
        "1 an",
        "1 year",
    ),
    (
        "noCRM.io",
        "sessionid",
        "necessary",
        Party.FIRST,
        "Garde la session des personnes connectées à l'administration.",
        "Keeps administrators signed in.",
        "2 semaines",
        "2 weeks",
    ),
    (
        "Intercom",
        "intercom-id-*",
        "preferences",
        Party.FIRST,
        "Reconnaît votre navigateur pour reprendre une conversation de chat.",
        "Recognises your browser to resume a chat conversation.",
        "9 mois",
        "9 months",
    ),
    (
        "Intercom",
        "intercom-session-*",
        "preferences",
        Party.FIRST,
        "Garde la conversation de chat ouverte d'une page à l'autre.",
        "Keeps the chat conversation open from page to page.",
        "7 jours",
        "7 days",
    ),
    (
        "Google",
        "_ga",
        "statistics",
        Party.FIRST,
        "Google Analytics 4 : distingue les visiteurs pour compter les visites.",
        "Google Analytics 4: tells visitors apart to count visits.",
        "13 mois",
        "13 months",
    ),
    (
        "Google",
        "_ga_*",
        "statistics",
        Party.FIRST,
        "Google Analytics 4 : garde l'état de la session de mesure.",
        "Google Analytics 4: keeps the state of the measured session.",
        "13 mois",
        "13 months",
    ),
    (
        "HubSpot",
        "__hstc",
        "statistics",
        Party.FIRST,
        "HubSpot : suit les visites pour les statistiques de marketing.",
        "HubSpot: tracks visits for marketing statistics.",
        "6 mois",
        "6 months",
    ),
    (
        "HubSpot",
        "hubspotutk",
        "statistics",
        Party.FIRST,
        "HubSpot : relie les visites d'un même navigateur.",
        "HubSpot: links visits from one browser.",
        "6 mois",
        "6 months",
    ),
    (
        "Google",
        "_gcl_au",
        "advertising",
        Party.FIRST,
        "Google Ads : mesure les conversions issues de nos annonces.",
        "Google Ads: measures conversions from our ads.",
        "90 jours",
        "90 days",
    ),
    (
        "Google",
        "IDE",
        "advertising",
        Party.THIRD,
        "Google (DoubleClick) : affiche et mesure des annonces ciblées.",
        "Google (DoubleClick): shows and measures targeted ads.",
        "13 mois",
        "13 months",
    ),
    (
        "LinkedIn",
        "li_fat_id",
        "advertising",
        Party.FIRST,
        "LinkedIn Insight : attribue les conversions aux campagnes LinkedIn.",
        "LinkedIn Insight: attributes conversions to LinkedIn campaigns.",
        "30 jours",
        "30 days",
    ),
    (
        "LinkedIn",
        "bcookie",
        "advertising",
        Party.THIRD,
        "LinkedIn : identifie le navigateur pour la publicité.",
        "LinkedIn: identifies the browser for advertising.",
        "1 an",
        "1 year",
    ),
    (
        "Meta",
        "_fbp",
        "advertising",
        Party.FIRST,
        "Pixel Meta : mesure et cible les publicités Facebook et Instagram.",
        "Meta pixel: measures and targets Facebook and Instagram ads.",
        "90 jours",
        "90 days",
    ),
]

# provider, audience, url shape, kind, fr, en
TRACKERS = [
    (
        "Nylas",
        Audience.CONTACTS,
        ".../o/xxx.xxx",
        "image",
        "Détecte l'ouverture du message.",
        "Detects that the message was opened.",
    ),
    (
        "Nylas",
        Audience.CONTACTS,
        ".../l/xxx.xxx",
        "link",
        "Enregistre le clic sur un lien puis redirige vers l'adresse prévue.",
        "Records the click on a link, then redirects to the intended address.",
    ),
    (
        "Positive Group Sales Solutions",
        Audience.USERS,
        ".../goto/xxx.xxx?clicked_url=",
        "link",
        "Enregistre le clic sur un lien puis redirige vers l'adresse indiquée par clicked_url.",
        "Records the click on a link, then redirects to the address given in clicked_url.",
    ),
    (
        "Positive Group Sales Solutions",
        Audience.USERS,
        ".../api/v2/transactional_emails/unsubscribe?signature=xxx..xxx",
        "link",
        "Désinscription en un clic depuis l'en-tête « List-Unsubscribe ».",
        "One-click unsubscribe from the List-Unsubscribe header.",
    ),
]


@transaction.atomic
def load_demo() -> None:
    """Create or update the demo declarations and the first policy revision."""
    purposes = {}
    for slug, order, required, name_fr, name_en, desc_fr, desc_en in PURPOSES:
        purposes[slug], _ = Purpose.objects.update_or_create(
            slug=slug,
            defaults={
                "order": order,
                "required": required,
                "name_fr": name_fr,
                "name_en": name_en,
                "description_fr": desc_fr,
                "description_en": desc_en,
            },
        )
    providers = {
        name: Provider.objects.update_or_create(name=name, defaults={"privacy_policy_url": url})[0]
        for name, url in PROVIDERS.items()
    }
    for order, (provider, name, purpose, party, d_fr, d_en, t_fr, t_en) in enumerate(COOKIES):
        Cookie.objects.update_or_create(
            provider=providers[provider],
            name=name,
            path="/",
            defaults={
                "purpose": purposes[purpose],
                "party": party,
                "order": order,
                "description_fr": d_fr,
                "description_en": d_en,
                "duration_fr": t_fr,
                "duration_en": t_en,
            },
        )
    for order, (provider, audience, shape, kind, d_fr, d_en) in enumerate(TRACKERS):
        EmailTracker.objects.update_or_create(
            provider=providers[provider],
            url_shape=shape,
            defaults={
                "audience": audience,
                "kind": kind,
                "order": order,
                "description_fr": d_fr,
                "description_en": d_en,
            },
        )
    if not PolicyRevision.objects.exists():
        PolicyRevision.objects.create(
            number=1, note="Première publication", banner_hash=banner_hash(build_snapshot("demo"))
        )
