"""Audience measurement and product analytics: the facts of each vendor, from its own documentation."""

from __future__ import annotations

from consent.catalog.types import Placeholder, Signal, Vendor, tracker
from consent.models import PurposeSlug

STATS = PurposeSlug.STATISTICS
GOOGLE_PRIVACY = "https://policies.google.com/privacy"
DPF = (
    "Data Privacy Framework UE–États-Unis (décision d'adéquation de la Commission du 10 juillet 2023),"
    " clauses contractuelles types à défaut"
)
NO_TRANSFER = "Aucun transfert hors de l'Union européenne"
NO_EXEMPTION = (
    "Non : l'outil transfère les données hors de l'UE et les recoupe avec d'autres services ; le consentement"
    " est requis."
)

GA4 = Vendor(
    slug="google-analytics-4",
    name="Google Analytics",
    legal_name="Google Ireland Limited",
    country="IE",
    privacy_url=GOOGLE_PRIVACY,
    data_location="Union européenne et États-Unis (Google LLC)",
    transfer_basis=DPF,
    purpose=STATS,
    hosts=("googletagmanager.com", "google-analytics.com", "analytics.google.com"),
    trackers=(
        tracker("_ga", STATS, ("2 ans", "2 years"), ("Distingue les visiteurs.", "Distinguishes visitors.")),
        tracker(
            "_ga_*",
            STATS,
            ("2 ans", "2 years"),
            ("Garde l'état de la session de mesure.", "Keeps the state of the measurement session."),
        ),
    ),
    snippet="""<!-- Google tag (gtag.js) -->
<script async src="https://www.googletagmanager.com/gtag/js?id=__MEASUREMENT_ID__"></script>
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('js', new Date());

  gtag('config', '__MEASUREMENT_ID__');
</script>""",
    placeholders=(
        Placeholder("__MEASUREMENT_ID__", "ID de mesure", "Measurement ID", r"G-[A-Z0-9]{4,16}", "G-ABC123DEF4"),
    ),
    signal=Signal.GOOGLE_CONSENT_MODE,
    audience_exemption=NO_EXEMPTION,
    deletion=(
        "API User Deletion de Google Analytics (par identifiant client _ga), ou l'outil « Demandes de"
        " suppression de données » de l'interface Analytics."
    ),
    deletion_api="https://developers.google.com/analytics/devguides/config/userdeletion/v3",
    sources=(
        "https://support.google.com/analytics/answer/11397207",
        "https://developers.google.com/tag-platform/gtagjs/install",
        "https://developers.google.com/tag-platform/security/guides/consent",
        "https://developers.google.com/analytics/devguides/config/userdeletion/v3",
    ),
)

CLARITY = Vendor(
    slug="microsoft-clarity",
    name="Microsoft Clarity",
    legal_name="Microsoft Ireland Operations Limited",
    country="IE",
    privacy_url="https://privacy.microsoft.com/privacystatement",
    data_location="États-Unis (Microsoft Azure)",
    transfer_basis=DPF,
    purpose=STATS,
    hosts=("clarity.ms",),
    trackers=(
        tracker(
            "_clck",
            STATS,
            ("1 an", "1 year"),
            ("Identifiant Clarity du visiteur et ses préférences.", "The visitor's Clarity ID and settings."),
        ),
        tracker(
            "_clsk",
            STATS,
            ("1 jour", "1 day"),
            ("Relie les pages vues d'une même session.", "Links the page views of one session."),
        ),
        tracker(
            "CLID",
            STATS,
            ("1 an", "1 year"),
            (
                "Identifie le visiteur sur les sites qui utilisent Clarity.",
                "Identifies the visitor across Clarity sites.",
            ),
            third_party=True,
        ),
    ),
    snippet="""<script type="text/javascript">
    (function(c,l,a,r,i,t,y){
        c[a]=c[a]||function(){(c[a].q=c[a].q||[]).push(arguments)};
        t=l.createElement(r);t.async=1;t.src="https://www.clarity.ms/tag/"+i;
        y=l.getElementsByTagName(r)[0];y.parentNode.insertBefore(t,y);
    })(window, document, "clarity", "script", "__PROJECT_ID__");
</script>""",
    placeholders=(Placeholder("__PROJECT_ID__", "ID du projet", "Project ID", r"[a-z0-9]{6,20}", "k2x7abcd9q"),),
    signal=Signal.MICROSOFT_CLARITY,
    audience_exemption=NO_EXEMPTION,
    deletion="Suppression dans les paramètres du projet Clarity, ou demande au support de Microsoft.",
    sources=(
        "https://learn.microsoft.com/en-us/clarity/setup-and-installation/cookie-list",
        "https://learn.microsoft.com/en-us/clarity/setup-and-installation/clarity-setup",
        "https://learn.microsoft.com/en-us/clarity/setup-and-installation/clarity-consent-api-v2",
    ),
)

HOTJAR = Vendor(
    slug="hotjar",
    name="Hotjar",
    legal_name="Hotjar Ltd",
    country="MT",
    privacy_url="https://www.hotjar.com/legal/policies/privacy/",
    data_location="Union européenne (Irlande, Amazon Web Services)",
    transfer_basis=NO_TRANSFER,
    purpose=STATS,
    hosts=("hotjar.com", "hotjar.io"),
    trackers=(
        tracker(
            "_hjSessionUser_*",
            STATS,
            ("1 an", "1 year"),
            ("Identifiant Hotjar du visiteur sur ce site.", "The visitor's Hotjar ID on this site."),
        ),
        tracker(
            "_hjSession_*",
            STATS,
            ("30 minutes", "30 minutes"),
            ("Relie les pages vues d'une même session.", "Links the page views of one session."),
        ),
    ),
    snippet="""<!-- Hotjar Tracking Code -->
<script>
    (function(h,o,t,j,a,r){
        h.hj=h.hj||function(){(h.hj.q=h.hj.q||[]).push(arguments)};
        h._hjSettings={hjid:__SITE_ID__,hjsv:6};
        a=o.getElementsByTagName('head')[0];
        r=o.createElement('script');r.async=1;
        r.src=t+h._hjSettings.hjid+j+h._hjSettings.hjsv;
        a.appendChild(r);
    })(window,document,'https://static.hotjar.com/c/hotjar-','.js?sv=');
</script>""",
    placeholders=(Placeholder("__SITE_ID__", "ID du site", "Site ID", r"[0-9]{5,10}", "1234567"),),
    signal=Signal.NONE,
    audience_exemption="Non : les enregistrements de sessions vont au-delà de la mesure d'audience.",
    deletion="Formulaire « Data subject request » de Hotjar, par identifiant de visiteur.",
    sources=(
        "https://help.hotjar.com/hc/en-us/articles/6952777582999-Cookies-Set-by-the-Hotjar-Tracking-Code",
        "https://help.hotjar.com/hc/en-us/articles/115009336727-How-to-Install-Your-Hotjar-Tracking-Code",
    ),
)

MATOMO = Vendor(
    slug="matomo",
    name="Matomo",
    legal_name="L'éditeur du site (Matomo auto-hébergé) ou InnoCraft Ltd (Matomo Cloud)",
    country="FR",
    privacy_url="https://matomo.org/privacy-policy/",
    data_location="Le serveur Matomo de l'éditeur (Matomo Cloud : Union européenne)",
    transfer_basis=NO_TRANSFER,
    purpose=STATS,
    hosts=("matomo.cloud",),
    trackers=(
        tracker(
            "_pk_id.*",
            STATS,
            ("13 mois", "13 months"),
            ("Identifiant du visiteur pour la mesure d'audience.", "The visitor's ID for audience measurement."),
        ),
        tracker(
            "_pk_ses.*",
            STATS,
            ("30 minutes", "30 minutes"),
            ("Relie les pages vues d'une même visite.", "Links the page views of one visit."),
        ),
    ),
    snippet="""<!-- Matomo -->
<script>
  var _paq = window._paq = window._paq || [];
  _paq.push(['trackPageView']);
  _paq.push(['enableLinkTracking']);
  (function() {
    var u="https://__MATOMO_HOST__/";
    _paq.push(['setTrackerUrl', u+'matomo.php']);
    _paq.push(['setSiteId', '__SITE_ID__']);
    var d=document, g=d.createElement('script'), s=d.getElementsByTagName('script')[0];
    g.async=true; g.src=u+'matomo.js'; s.parentNode.insertBefore(g,s);
  })();
</script>
<!-- End Matomo Code -->""",
    placeholders=(
        Placeholder(
            "__MATOMO_HOST__",
            "Domaine de votre Matomo",
            "Your Matomo's domain",
            r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+",
            "stats.example.com",
        ),
        Placeholder("__SITE_ID__", "ID du site", "Site ID", r"[0-9]{1,6}", "1"),
    ),
    signal=Signal.MATOMO,
    audience_exemption=(
        "Oui, configuré selon le guide de la CNIL : données non recoupées avec d'autres traitements ni"
        " transmises, adresse IP tronquée, cookies de 13 mois au plus, pas d'identifiant utilisateur."
    ),
    deletion="Outil « RGPD » de l'administration Matomo : recherche et suppression par identifiant de visiteur.",
    sources=(
        "https://matomo.org/faq/general/faq_146/",
        "https://developer.matomo.org/guides/tracking-consent",
        "https://matomo.org/faq/how-to/faq_10094/",
        "https://www.cnil.fr/fr/cookies-solutions-pour-les-outils-de-mesure-daudience",
    ),
)

PLAUSIBLE = Vendor(
    slug="plausible",
    name="Plausible Analytics",
    legal_name="Plausible Insights OÜ",
    country="EE",
    privacy_url="https://plausible.io/privacy",
    data_location="Union européenne (Allemagne)",
    transfer_basis=NO_TRANSFER,
    purpose=STATS,
    hosts=("plausible.io",),
    trackers=(),  # no cookie and no storage key: the measurement is aggregated without an identifier
    snippet="""<script defer data-domain="__DOMAIN__" src="https://plausible.io/js/script.js"></script>""",
    placeholders=(
        Placeholder(
            "__DOMAIN__",
            "Domaine du site",
            "Site domain",
            r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+",
            "www.nocrm.io",
        ),
    ),
    signal=Signal.NONE,
    audience_exemption=(
        "Probablement : aucun cookie ni identifiant, mesure agrégée hébergée dans l'UE ; à confirmer par le DPO"
        " au regard des critères de la CNIL."
    ),
    deletion="Aucune donnée personnelle conservée par visiteur : rien à supprimer par personne.",
    sources=("https://plausible.io/data-policy", "https://plausible.io/docs/plausible-script"),
)

SEGMENT = Vendor(
    slug="segment",
    name="Segment",
    legal_name="Twilio Inc.",
    country="US",
    privacy_url="https://www.twilio.com/en-us/legal/privacy",
    data_location="États-Unis (ou Union européenne avec la résidence des données)",
    transfer_basis=DPF,
    purpose=STATS,
    hosts=("segment.com", "segment.io"),
    trackers=(
        tracker(
            "ajs_anonymous_id",
            STATS,
            ("1 an", "1 year"),
            ("Identifiant anonyme du visiteur.", "The visitor's anonymous ID."),
        ),
        tracker(
            "ajs_user_id",
            STATS,
            ("1 an", "1 year"),
            ("Identifiant du visiteur connu.", "The known visitor's ID."),
        ),
    ),
    snippet="""<script>
  !function(){var i="analytics",analytics=window[i]=window[i]||[];if(!analytics.initialize)if(analytics.invoked)window.console&&console.error&&console.error("Segment snippet included twice.");else{analytics.invoked=!0;analytics.methods=["track","page","identify","reset"];analytics.factory=function(e){return function(){var t=Array.prototype.slice.call(arguments);t.unshift(e);analytics.push(t);return analytics}};for(var n=0;n<analytics.methods.length;n++){var key=analytics.methods[n];analytics[key]=analytics.factory(key)}analytics.load=function(key,n){var t=document.createElement("script");t.type="text/javascript";t.async=!0;t.src="https://cdn.segment.com/analytics.js/v1/"+key+"/analytics.min.js";var r=document.getElementsByTagName("script")[0];r.parentNode.insertBefore(t,r)};
  analytics.load("__WRITE_KEY__");
  analytics.page();
  }}();
</script>""",
    placeholders=(
        Placeholder("__WRITE_KEY__", "Clé d'écriture", "Write key", r"[A-Za-z0-9]{16,40}", "a1B2c3D4e5F6g7H8"),
    ),
    signal=Signal.NONE,
    audience_exemption=NO_EXEMPTION,
    deletion="Demande de suppression par utilisateur dans l'espace de travail Segment (« Privacy > Deletion »).",
    sources=(
        "https://segment.com/docs/connections/sources/catalog/libraries/website/javascript/",
        "https://segment.com/docs/privacy/user-deletion-and-suppression/",
    ),
)

MIXPANEL = Vendor(
    slug="mixpanel",
    name="Mixpanel",
    legal_name="Mixpanel, Inc.",
    country="US",
    privacy_url="https://mixpanel.com/legal/privacy-policy/",
    data_location="États-Unis (ou Union européenne avec la résidence des données)",
    transfer_basis=DPF,
    purpose=STATS,
    hosts=("mixpanel.com", "mxpnl.com"),
    trackers=(
        tracker(
            "mp_*_mixpanel",
            STATS,
            ("1 an", "1 year"),
            ("Identifiant du visiteur et propriétés de sa visite.", "The visitor's ID and visit properties."),
        ),
    ),
    snippet="""<script type="text/javascript">
(function(f,b){if(!b.__SV){var e,g,i,h;window.mixpanel=b;b._i=[];b.init=function(e,f,c){function g(a,d){var b=d.split(".");2==b.length&&(a=a[b[0]],d=b[1]);a[d]=function(){a.push([d].concat(Array.prototype.slice.call(arguments,0)))}}var a=b;"undefined"!==typeof c?a=b[c]=[]:c="mixpanel";a.people=a.people||[];a._i.push([e,f,c])};b.__SV=1.2;e=f.createElement("script");e.type="text/javascript";e.async=!0;e.src="https://cdn.mxpnl.com/libs/mixpanel-2-latest.min.js";g=f.getElementsByTagName("script")[0];g.parentNode.insertBefore(e,g)}})(document,window.mixpanel||[]);
mixpanel.init("__PROJECT_TOKEN__");
</script>""",
    placeholders=(
        Placeholder(
            "__PROJECT_TOKEN__", "Jeton du projet", "Project token", r"[a-f0-9]{32}", "0123456789abcdef0123456789abcdef"
        ),
    ),
    signal=Signal.NONE,
    audience_exemption=NO_EXEMPTION,
    deletion="API GDPR de Mixpanel (suppression par distinct_id), ou demande au support.",
    sources=(
        "https://docs.mixpanel.com/docs/tracking-methods/sdks/javascript",
        "https://docs.mixpanel.com/docs/privacy/end-user-data-management",
    ),
)

VENDORS = (GA4, CLARITY, HOTJAR, MATOMO, PLAUSIBLE, SEGMENT, MIXPANEL)
