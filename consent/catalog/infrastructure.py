"""Tag managers, payments and bot protection: the facts of each vendor, from its own documentation."""

from __future__ import annotations

from consent.catalog.analytics import DPF, GOOGLE_PRIVACY, NO_TRANSFER
from consent.catalog.types import Placeholder, Signal, Vendor, tracker
from consent.models import PurposeSlug

NECESSARY = PurposeSlug.NECESSARY
STATS = PurposeSlug.STATISTICS
NOT_MEASUREMENT = "Sans objet : ce n'est pas un outil de mesure d'audience."

GTM = Vendor(
    slug="google-tag-manager",
    name="Google Tag Manager",
    legal_name="Google Ireland Limited",
    country="IE",
    privacy_url=GOOGLE_PRIVACY,
    data_location="Union européenne et États-Unis (Google LLC)",
    transfer_basis=DPF,
    purpose=STATS,
    hosts=("googletagmanager.com",),
    trackers=(),  # the container itself stores nothing; the tags it loads declare their own
    snippet="""<!-- Google Tag Manager -->
<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({'gtm.start':
new Date().getTime(),event:'gtm.js'});var f=d.getElementsByTagName(s)[0],
j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src=
'https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);
})(window,document,'script','dataLayer','__CONTAINER_ID__');</script>
<!-- End Google Tag Manager -->""",
    placeholders=(
        Placeholder("__CONTAINER_ID__", "ID du conteneur", "Container ID", r"GTM-[A-Z0-9]{4,10}", "GTM-ABC1234"),
    ),
    signal=Signal.GOOGLE_CONSENT_MODE,
    audience_exemption="Sans objet : le conteneur ne mesure rien ; chaque balise qu'il charge a sa propre règle.",
    deletion="Rien à supprimer pour le conteneur ; voir chaque balise qu'il charge.",
    sources=(
        "https://developers.google.com/tag-platform/tag-manager/web",
        "https://support.google.com/tagmanager/answer/10718549",
    ),
    tags=("container",),
)

STRIPE = Vendor(
    slug="stripe",
    name="Stripe",
    legal_name="Stripe Payments Europe, Limited",
    country="IE",
    privacy_url="https://stripe.com/privacy",
    data_location="Union européenne et États-Unis (Stripe, Inc.)",
    transfer_basis=DPF,
    purpose=NECESSARY,
    hosts=("stripe.com", "stripe.network"),
    trackers=(
        tracker(
            "__stripe_mid",
            NECESSARY,
            ("1 an", "1 year"),
            ("Prévention de la fraude au paiement.", "Payment fraud prevention."),
        ),
        tracker(
            "__stripe_sid",
            NECESSARY,
            ("30 minutes", "30 minutes"),
            ("Prévention de la fraude au paiement, pour la session.", "Payment fraud prevention, for the session."),
        ),
    ),
    snippet="""<script src="https://js.stripe.com/v3/"></script>
<script>
  const stripe = Stripe('__PUBLISHABLE_KEY__');
</script>""",
    placeholders=(
        Placeholder(
            "__PUBLISHABLE_KEY__",
            "Clé publiable",
            "Publishable key",
            r"pk_(live|test)_[A-Za-z0-9]{10,99}",
            "pk_test_51AbcDefGhiJkl",
        ),
    ),
    signal=Signal.NONE,
    audience_exemption="Sans objet : nécessaire au paiement demandé (exempté de consentement sur les pages de paiement).",
    deletion="Demande à Stripe (privacy@stripe.com) ; les données de fraude sont gardées selon ses obligations.",
    sources=(
        "https://stripe.com/cookie-settings",
        "https://docs.stripe.com/js/including",
        "https://docs.stripe.com/disputes/prevention/advanced-fraud-detection",
    ),
)

TURNSTILE = Vendor(
    slug="cloudflare-turnstile",
    name="Cloudflare Turnstile",
    legal_name="Cloudflare, Inc.",
    country="US",
    privacy_url="https://www.cloudflare.com/privacypolicy/",
    data_location="Réseau mondial de Cloudflare",
    transfer_basis=DPF,
    purpose=NECESSARY,
    hosts=("challenges.cloudflare.com",),
    trackers=(),  # Turnstile writes no cookie on the site; its challenge runs in its own frame
    snippet="""<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script>
<div class="cf-turnstile" data-sitekey="__SITE_KEY__"></div>""",
    placeholders=(
        Placeholder("__SITE_KEY__", "Clé du site", "Site key", r"0x[A-Za-z0-9_-]{20,40}", "0x4AAAAAAABkMYinukE8nzY"),
    ),
    signal=Signal.NONE,
    audience_exemption=NOT_MEASUREMENT,
    deletion="Rien à supprimer : Turnstile ne garde pas de profil du visiteur.",
    sources=(
        "https://developers.cloudflare.com/turnstile/get-started/client-side-rendering/",
        "https://www.cloudflare.com/turnstile-privacy-policy/",
    ),
)

FRIENDLY_CAPTCHA = Vendor(
    slug="friendlycaptcha",
    name="Friendly Captcha",
    legal_name="Friendly Captcha GmbH",
    country="DE",
    privacy_url="https://friendlycaptcha.com/legal/privacy-end-users/",
    data_location="Union européenne (Allemagne)",
    transfer_basis=NO_TRANSFER,
    purpose=NECESSARY,
    hosts=("friendlycaptcha.com", "frcapi.com"),
    trackers=(),  # a proof of work computed in the browser; no cookie, no storage key
    snippet="""<script type="module" src="https://cdn.jsdelivr.net/npm/@friendlycaptcha/sdk@0.1.8/site.min.js" async defer></script>
<div class="frc-captcha" data-sitekey="__SITE_KEY__"></div>""",
    placeholders=(Placeholder("__SITE_KEY__", "Clé du site", "Site key", r"FC[A-Z0-9]{10,20}", "FCMGD7SUA9AA3E1C"),),
    signal=Signal.NONE,
    audience_exemption=NOT_MEASUREMENT,
    deletion="Rien à supprimer : aucune donnée gardée par visiteur.",
    sources=(
        "https://developer.friendlycaptcha.com/docs/v2/getting-started/install",
        "https://friendlycaptcha.com/legal/privacy-end-users/",
    ),
)

VENDORS = (GTM, STRIPE, TURNSTILE, FRIENDLY_CAPTCHA)
