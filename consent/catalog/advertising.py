"""Advertising and conversion tracking: the facts of each vendor, from its own documentation."""

from __future__ import annotations

from consent.catalog.analytics import DPF, GOOGLE_PRIVACY
from consent.catalog.types import Placeholder, Signal, Vendor, tracker
from consent.models import PurposeSlug

ADS = PurposeSlug.ADVERTISING
SCC = "Clauses contractuelles types de la Commission européenne (décision 2021/914)"
NOT_MEASUREMENT = "Non : publicité ciblée et mesure de conversions, hors du champ de l'exemption."

GOOGLE_ADS = Vendor(
    slug="google-ads",
    name="Google Ads",
    legal_name="Google Ireland Limited",
    country="IE",
    privacy_url=GOOGLE_PRIVACY,
    data_location="Union européenne et États-Unis (Google LLC)",
    transfer_basis=DPF,
    purpose=ADS,
    hosts=("googleadservices.com", "doubleclick.net", "googletagmanager.com", "google.com"),
    trackers=(
        tracker(
            "_gcl_au",
            ADS,
            ("90 jours", "90 days"),
            ("Relie une conversion au clic publicitaire.", "Links a conversion to the ad click."),
        ),
        tracker(
            "IDE",
            ADS,
            ("13 mois", "13 months"),
            ("Identifiant publicitaire de Google (doubleclick.net).", "Google's advertising ID (doubleclick.net)."),
            third_party=True,
        ),
    ),
    snippet="""<!-- Google tag (gtag.js) -->
<script async src="https://www.googletagmanager.com/gtag/js?id=__CONVERSION_ID__"></script>
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){dataLayer.push(arguments);}
  gtag('js', new Date());

  gtag('config', '__CONVERSION_ID__');
</script>""",
    placeholders=(
        Placeholder("__CONVERSION_ID__", "ID de conversion", "Conversion ID", r"AW-[0-9]{6,12}", "AW-123456789"),
    ),
    signal=Signal.GOOGLE_CONSENT_MODE,
    audience_exemption=NOT_MEASUREMENT,
    deletion="Centre « Mes données » de Google (myaccount.google.com) ; pas d'API de suppression par visiteur.",
    sources=(
        "https://business.safety.google/adscookies/",
        "https://support.google.com/google-ads/answer/11994839",
        "https://developers.google.com/tag-platform/security/guides/consent",
    ),
)

META_PIXEL = Vendor(
    slug="meta-pixel",
    name="Meta Pixel",
    legal_name="Meta Platforms Ireland Limited",
    country="IE",
    privacy_url="https://www.facebook.com/privacy/policy/",
    data_location="Union européenne et États-Unis (Meta Platforms, Inc.)",
    transfer_basis=DPF,
    purpose=ADS,
    hosts=("facebook.net", "facebook.com"),
    trackers=(
        tracker(
            "_fbp",
            ADS,
            ("90 jours", "90 days"),
            ("Identifie le navigateur pour les publicités Meta.", "Identifies the browser for Meta ads."),
        ),
        tracker(
            "fr",
            ADS,
            ("90 jours", "90 days"),
            ("Identifiant publicitaire de Meta (facebook.com).", "Meta's advertising ID (facebook.com)."),
            third_party=True,
        ),
    ),
    snippet="""<!-- Meta Pixel Code -->
<script>
!function(f,b,e,v,n,t,s)
{if(f.fbq)return;n=f.fbq=function(){n.callMethod?
n.callMethod.apply(n,arguments):n.queue.push(arguments)};
if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';
n.queue=[];t=b.createElement(e);t.async=!0;
t.src=v;s=b.getElementsByTagName(e)[0];
s.parentNode.insertBefore(t,s)}(window, document,'script',
'https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '__PIXEL_ID__');
fbq('track', 'PageView');
</script>
<noscript><img height="1" width="1" style="display:none"
src="https://www.facebook.com/tr?id=__PIXEL_ID__&ev=PageView&noscript=1"
/></noscript>
<!-- End Meta Pixel Code -->""",
    placeholders=(Placeholder("__PIXEL_ID__", "ID du pixel", "Pixel ID", r"[0-9]{10,20}", "1234567890123456"),),
    signal=Signal.META_PIXEL,
    audience_exemption=NOT_MEASUREMENT,
    deletion="Formulaire de Meta pour les personnes sans compte (« Off-Meta activity ») ; pas d'API par visiteur.",
    sources=(
        "https://www.facebook.com/privacy/policies/cookies/",
        "https://developers.facebook.com/docs/meta-pixel/get-started",
        "https://developers.facebook.com/docs/meta-pixel/implementation/gdpr",
    ),
)

LINKEDIN = Vendor(
    slug="linkedin-insight",
    name="LinkedIn Insight Tag",
    legal_name="LinkedIn Ireland Unlimited Company",
    country="IE",
    privacy_url="https://www.linkedin.com/legal/privacy-policy",
    data_location="Union européenne et États-Unis (LinkedIn Corporation)",
    transfer_basis=DPF,
    purpose=ADS,
    hosts=("licdn.com", "linkedin.com"),
    trackers=(
        tracker(
            "li_fat_id",
            ADS,
            ("30 jours", "30 days"),
            ("Relie une conversion au clic publicitaire.", "Links a conversion to the ad click."),
        ),
        tracker(
            "bcookie",
            ADS,
            ("1 an", "1 year"),
            ("Identifiant du navigateur chez LinkedIn (linkedin.com).", "The browser's ID at LinkedIn (linkedin.com)."),
            third_party=True,
        ),
        tracker(
            "lidc",
            ADS,
            ("1 jour", "1 day"),
            ("Choix du centre de données de LinkedIn (linkedin.com).", "Picks LinkedIn's data centre (linkedin.com)."),
            third_party=True,
        ),
        tracker(
            "UserMatchHistory",
            ADS,
            ("30 jours", "30 days"),
            ("Synchronise l'identifiant publicitaire (linkedin.com).", "Syncs the advertising ID (linkedin.com)."),
            third_party=True,
        ),
    ),
    snippet="""<script type="text/javascript">
_linkedin_partner_id = "__PARTNER_ID__";
window._linkedin_data_partner_ids = window._linkedin_data_partner_ids || [];
window._linkedin_data_partner_ids.push(_linkedin_partner_id);
</script><script type="text/javascript">
(function(l) {
if (!l){window.lintrk = function(a,b){window.lintrk.q.push([a,b])};
window.lintrk.q=[]}
var s = document.getElementsByTagName("script")[0];
var b = document.createElement("script");
b.type = "text/javascript";b.async = true;
b.src = "https://snap.licdn.com/li.lms-analytics/insight.min.js";
s.parentNode.insertBefore(b, s);})(window.lintrk);
</script>
<noscript>
<img height="1" width="1" style="display:none;" alt="" src="https://px.ads.linkedin.com/collect/?pid=__PARTNER_ID__&fmt=gif" />
</noscript>""",
    placeholders=(Placeholder("__PARTNER_ID__", "ID partenaire", "Partner ID", r"[0-9]{5,10}", "1234567"),),
    signal=Signal.NONE,
    audience_exemption=NOT_MEASUREMENT,
    deletion="Demande via le centre d'aide de LinkedIn (« Data Privacy Request ») ; pas d'API par visiteur.",
    sources=(
        "https://www.linkedin.com/legal/l/cookie-table",
        "https://www.linkedin.com/help/lms/answer/a418880",
    ),
)

MICROSOFT_UET = Vendor(
    slug="microsoft-uet",
    name="Microsoft Advertising (UET)",
    legal_name="Microsoft Ireland Operations Limited",
    country="IE",
    privacy_url="https://privacy.microsoft.com/privacystatement",
    data_location="Union européenne et États-Unis (Microsoft Corporation)",
    transfer_basis=DPF,
    purpose=ADS,
    hosts=("bing.com",),
    trackers=(
        tracker(
            "_uetsid",
            ADS,
            ("1 jour", "1 day"),
            ("Relie les visites d'une session à un clic publicitaire.", "Links a session's visits to an ad click."),
        ),
        tracker(
            "_uetvid",
            ADS,
            ("13 mois", "13 months"),
            ("Identifie le visiteur pour les conversions.", "Identifies the visitor for conversions."),
        ),
        tracker(
            "MUID",
            ADS,
            ("1 an", "1 year"),
            ("Identifiant Microsoft du navigateur (bing.com).", "Microsoft's browser ID (bing.com)."),
            third_party=True,
        ),
    ),
    snippet="""<script>
(function(w,d,t,r,u){var f,n,i;w[u]=w[u]||[],f=function(){var o={ti:"__TAG_ID__", enableAutoSpaTracking: true};o.q=w[u],w[u]=new UET(o),w[u].push("pageLoad")},n=d.createElement(t),n.src=r,n.async=1,n.onload=n.onreadystatechange=function(){var s=this.readyState;s&&s!=="loaded"&&s!=="complete"||(f(),n.onload=n.onreadystatechange=null)},i=d.getElementsByTagName(t)[0],i.parentNode.insertBefore(n,i)})(window,document,"script","//bat.bing.com/bat.js","uetq");
</script>""",
    placeholders=(Placeholder("__TAG_ID__", "ID de la balise UET", "UET tag ID", r"[0-9]{6,12}", "343123456"),),
    signal=Signal.MICROSOFT_UET,
    audience_exemption=NOT_MEASUREMENT,
    deletion="Demande via le tableau de bord de confidentialité de Microsoft ; pas d'API par visiteur.",
    sources=(
        "https://help.ads.microsoft.com/#apex/ads/en/56686/2",
        "https://help.ads.microsoft.com/#apex/ads/en/60212/1",
        "https://learn.microsoft.com/en-us/advertising/guides/universal-event-tracking",
    ),
)

TIKTOK = Vendor(
    slug="tiktok-pixel",
    name="TikTok Pixel",
    legal_name="TikTok Technology Limited",
    country="IE",
    privacy_url="https://www.tiktok.com/legal/page/eea/privacy-policy/en",
    data_location="Union européenne, États-Unis, Singapour, Malaisie",
    transfer_basis=SCC,
    purpose=ADS,
    hosts=("tiktok.com",),
    trackers=(
        tracker(
            "_ttp",
            ADS,
            ("13 mois", "13 months"),
            ("Identifie le visiteur pour les publicités TikTok.", "Identifies the visitor for TikTok ads."),
        ),
        tracker(
            "_tt_enable_cookie",
            ADS,
            ("13 mois", "13 months"),
            ("Indique que les cookies TikTok sont possibles.", "Records that TikTok cookies can be set."),
        ),
    ),
    snippet="""<script>
!function (w, d, t) {
  w.TiktokAnalyticsObject=t;var ttq=w[t]=w[t]||[];ttq.methods=["page","track","identify","instances","debug","on","off","once","ready","alias","group","enableCookie","disableCookie","holdConsent","revokeConsent","grantConsent"],ttq.setAndDefer=function(t,e){t[e]=function(){t.push([e].concat(Array.prototype.slice.call(arguments,0)))}};for(var i=0;i<ttq.methods.length;i++)ttq.setAndDefer(ttq,ttq.methods[i]);ttq.load=function(e,n){var r="https://analytics.tiktok.com/i18n/pixel/events.js";ttq._i=ttq._i||{},ttq._i[e]=[],ttq._u=r,ttq._t=ttq._t||{},ttq._t[e]=+new Date,ttq._o=ttq._o||{},ttq._o[e]=n||{};n=document.createElement("script");n.type="text/javascript",n.async=!0,n.src=r+"?sdkid="+e+"&lib="+t;e=document.getElementsByTagName("script")[0];e.parentNode.insertBefore(n,e)};
  ttq.load('__PIXEL_ID__');
  ttq.page();
}(window, document, 'ttq');
</script>""",
    placeholders=(Placeholder("__PIXEL_ID__", "ID du pixel", "Pixel ID", r"[A-Z0-9]{16,24}", "C1234567890ABCDEFGHI"),),
    signal=Signal.TIKTOK,
    audience_exemption=NOT_MEASUREMENT,
    deletion="Formulaire de demande de TikTok pour les personnes sans compte ; pas d'API par visiteur.",
    sources=(
        "https://ads.tiktok.com/help/article/tiktok-pixel-cookies",
        "https://ads.tiktok.com/help/article/get-started-pixel",
        "https://business-api.tiktok.com/portal/docs?id=1739585600931842",
    ),
)

X_PIXEL = Vendor(
    slug="x-pixel",
    name="X (Twitter) Pixel",
    legal_name="Twitter International Unlimited Company",
    country="IE",
    privacy_url="https://x.com/privacy",
    data_location="Union européenne et États-Unis (X Corp.)",
    transfer_basis=SCC,
    purpose=ADS,
    hosts=("ads-twitter.com", "twitter.com", "x.com", "t.co"),
    trackers=(
        tracker(
            "muc_ads",
            ADS,
            ("13 mois", "13 months"),
            ("Identifiant publicitaire de X (x.com).", "X's advertising ID (x.com)."),
            third_party=True,
        ),
        tracker(
            "personalization_id",
            ADS,
            ("13 mois", "13 months"),
            ("Relie l'activité du navigateur aux publicités X (x.com).", "Links browser activity to X ads (x.com)."),
            third_party=True,
        ),
    ),
    snippet="""<!-- X conversion tracking base code -->
<script>
!function(e,t,n,s,u,a){e.twq||(s=e.twq=function(){s.exe?s.exe.apply(s,arguments):s.queue.push(arguments);
},s.version='1.1',s.queue=[],u=t.createElement(n),u.async=!0,u.src='https://static.ads-twitter.com/uwt.js',
a=t.getElementsByTagName(n)[0],a.parentNode.insertBefore(u,a))}(window,document,'script');
twq('config','__PIXEL_ID__');
</script>
<!-- End X conversion tracking base code -->""",
    placeholders=(Placeholder("__PIXEL_ID__", "ID du pixel", "Pixel ID", r"[a-z0-9]{5,8}", "o1a2b"),),
    signal=Signal.NONE,
    audience_exemption=NOT_MEASUREMENT,
    deletion="Formulaire de demande de confidentialité de X ; pas d'API par visiteur.",
    sources=(
        "https://business.x.com/en/help/campaign-measurement-and-analytics/conversion-tracking-for-websites",
        "https://help.x.com/en/rules-and-policies/x-cookies",
    ),
)

VENDORS = (GOOGLE_ADS, META_PIXEL, LINKEDIN, MICROSOFT_UET, TIKTOK, X_PIXEL)
