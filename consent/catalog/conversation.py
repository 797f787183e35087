"""Chat, CRM forms and meeting booking: the facts of each vendor, from its own documentation."""

from __future__ import annotations

from consent.catalog.analytics import DPF, NO_TRANSFER
from consent.catalog.types import Placeholder, Signal, Vendor, tracker
from consent.models import PurposeSlug

PREFS = PurposeSlug.PREFERENCES
STATS = PurposeSlug.STATISTICS
ADS = PurposeSlug.ADVERTISING
NOT_MEASUREMENT = "Sans objet : ce n'est pas un outil de mesure d'audience."

HUBSPOT = Vendor(
    slug="hubspot",
    name="HubSpot",
    legal_name="HubSpot, Inc. (HubSpot Ireland Limited pour l'EEE)",
    country="US",
    privacy_url="https://legal.hubspot.com/privacy-policy",
    data_location="Union européenne (centre de données de Francfort) ou États-Unis, selon le compte",
    transfer_basis=DPF,
    purpose=ADS,
    hosts=("hs-scripts.com", "hs-analytics.net", "hubspot.com", "hs-banner.com", "hsforms.net", "hsforms.com"),
    trackers=(
        tracker(
            "__hstc",
            ADS,
            ("6 mois", "6 months"),
            ("Suit le visiteur pour le CRM (première, dernière visite).", "Tracks the visitor for the CRM."),
        ),
        tracker(
            "hubspotutk",
            ADS,
            ("6 mois", "6 months"),
            ("Relie le visiteur aux formulaires qu'il remplit.", "Links the visitor to the forms they submit."),
        ),
        tracker(
            "__hssc",
            ADS,
            ("30 minutes", "30 minutes"),
            ("Compte les pages vues d'une session.", "Counts the page views of a session."),
        ),
        tracker(
            "__hssrc",
            ADS,
            ("session", "session"),
            ("Indique un redémarrage du navigateur.", "Tells that the browser restarted."),
        ),
    ),
    snippet="""<!-- Start of HubSpot Embed Code -->
<script type="text/javascript" id="hs-script-loader" async defer src="//js.hs-scripts.com/__HUB_ID__.js"></script>
<!-- End of HubSpot Embed Code -->""",
    placeholders=(Placeholder("__HUB_ID__", "ID du compte (Hub ID)", "Hub ID", r"[0-9]{4,10}", "1234567"),),
    signal=Signal.HUBSPOT,
    audience_exemption=NOT_MEASUREMENT,
    deletion="Suppression RGPD du contact dans HubSpot (« Supprimer définitivement »), par adresse e-mail.",
    sources=(
        "https://knowledge.hubspot.com/privacy-and-consent/what-cookies-does-hubspot-set-in-a-visitor-s-browser",
        "https://knowledge.hubspot.com/reports/install-the-hubspot-tracking-code",
        "https://developers.hubspot.com/docs/api/events/cookie-banner",
    ),
)

INTERCOM = Vendor(
    slug="intercom",
    name="Intercom",
    legal_name="Intercom R&D Unlimited Company",
    country="IE",
    privacy_url="https://www.intercom.com/legal/privacy",
    data_location="États-Unis, ou Union européenne avec l'hébergement européen",
    transfer_basis=DPF,
    purpose=PREFS,
    hosts=("intercom.io", "intercomcdn.com", "intercomassets.com"),
    trackers=(
        tracker(
            "intercom-id-*",
            PREFS,
            ("9 mois", "9 months"),
            ("Identifiant du visiteur pour la messagerie.", "The visitor's ID for the messenger."),
        ),
        tracker(
            "intercom-session-*",
            PREFS,
            ("7 jours", "7 days"),
            ("Garde la conversation ouverte d'une page à l'autre.", "Keeps the conversation across pages."),
        ),
        tracker(
            "intercom-device-id-*",
            PREFS,
            ("9 mois", "9 months"),
            ("Identifiant de l'appareil pour la messagerie.", "The device's ID for the messenger."),
        ),
    ),
    snippet="""<script>
  window.intercomSettings = {
    api_base: "https://api-iam.intercom.io",
    app_id: "__APP_ID__",
  };
</script>
<script>
(function(){var w=window;var ic=w.Intercom;if(typeof ic==="function"){ic('reattach_activator');ic('update',w.intercomSettings);}else{var d=document;var i=function(){i.c(arguments);};i.q=[];i.c=function(args){i.q.push(args);};w.Intercom=i;var l=function(){var s=d.createElement('script');s.type='text/javascript';s.async=true;s.src='https://widget.intercom.io/widget/__APP_ID__';var x=d.getElementsByTagName('script')[0];x.parentNode.insertBefore(s,x);};if(document.readyState==='complete'){l();}else if(w.attachEvent){w.attachEvent('onload',l);}else{w.addEventListener('load',l,false);}}})();
</script>""",
    placeholders=(Placeholder("__APP_ID__", "ID de l'application", "App ID", r"[a-z0-9]{8}", "abc12def"),),
    signal=Signal.INTERCOM,
    audience_exemption=NOT_MEASUREMENT,
    deletion="API de suppression d'Intercom (« Delete a contact ») ou suppression dans l'inbox.",
    sources=(
        "https://www.intercom.com/help/en/articles/2361922-intercom-messenger-cookies",
        "https://developers.intercom.com/installing-intercom/web/installation",
        "https://developers.intercom.com/installing-intercom/web/methods#intercomshutdown",
    ),
)

CRISP = Vendor(
    slug="crisp",
    name="Crisp",
    legal_name="Crisp IM SAS",
    country="FR",
    privacy_url="https://crisp.chat/en/privacy/",
    data_location="Union européenne (Pays-Bas, Allemagne)",
    transfer_basis=NO_TRANSFER,
    purpose=PREFS,
    hosts=("crisp.chat",),
    trackers=(
        tracker(
            "crisp-client/session/*",
            PREFS,
            ("6 mois", "6 months"),
            ("Garde la conversation du visiteur.", "Keeps the visitor's conversation."),
        ),
    ),
    snippet="""<script type="text/javascript">window.$crisp=[];window.CRISP_WEBSITE_ID="__WEBSITE_ID__";(function(){d=document;s=d.createElement("script");s.src="https://client.crisp.chat/l.js";s.async=1;d.getElementsByTagName("head")[0].appendChild(s);})();</script>""",
    placeholders=(
        Placeholder(
            "__WEBSITE_ID__",
            "ID du site Crisp",
            "Crisp website ID",
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "8e3c1a4b-0000-4000-8000-1234567890ab",
        ),
    ),
    signal=Signal.NONE,
    audience_exemption=NOT_MEASUREMENT,
    deletion="Suppression de la conversation et du profil dans l'espace Crisp.",
    sources=(
        "https://help.crisp.chat/en/article/whats-crisp-cookie-policy-3tnmj4/",
        "https://help.crisp.chat/en/article/how-do-i-install-crisp-live-chat-on-my-website-1xq4mzy/",
    ),
)

ZENDESK = Vendor(
    slug="zendesk",
    name="Zendesk",
    legal_name="Zendesk, Inc.",
    country="US",
    privacy_url="https://www.zendesk.com/company/agreements-and-terms/privacy-notice/",
    data_location="États-Unis, ou Union européenne avec l'hébergement européen",
    transfer_basis=DPF,
    purpose=PREFS,
    hosts=("zdassets.com", "zendesk.com", "zopim.com"),
    trackers=(
        tracker(
            "__zlcmid",
            PREFS,
            ("1 an", "1 year"),
            ("Identifiant du visiteur pour la messagerie.", "The visitor's ID for the messenger."),
        ),
        tracker(
            "ZD-*",
            PREFS,
            ("persistant", "persistent"),
            ("État de la messagerie (conversation, widget).", "The messenger's state (conversation, widget)."),
            storage="localStorage",
        ),
    ),
    snippet="""<!-- Start of Zendesk Widget script -->
<script id="ze-snippet" src="https://static.zdassets.com/ekr/snippet.js?key=__WIDGET_KEY__"> </script>
<!-- End of Zendesk Widget script -->""",
    placeholders=(
        Placeholder(
            "__WIDGET_KEY__",
            "Clé du widget",
            "Widget key",
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "12345678-abcd-4ef0-9123-456789abcdef",
        ),
    ),
    signal=Signal.NONE,
    audience_exemption=NOT_MEASUREMENT,
    deletion="Suppression définitive de l'utilisateur final dans Zendesk (« Permanently delete »).",
    sources=(
        "https://support.zendesk.com/hc/en-us/articles/4408836402074",
        "https://developer.zendesk.com/documentation/zendesk-web-widget-sdks/sdks/web/getting_started/",
    ),
)

CALENDLY = Vendor(
    slug="calendly",
    name="Calendly",
    legal_name="Calendly LLC",
    country="US",
    privacy_url="https://calendly.com/legal/privacy-notice",
    data_location="États-Unis",
    transfer_basis=DPF,
    purpose=PREFS,
    hosts=("calendly.com",),
    trackers=(
        tracker(
            "__cf_bm",
            PREFS,
            ("30 minutes", "30 minutes"),
            ("Protection contre les robots du widget (calendly.com).", "The widget's bot protection (calendly.com)."),
            third_party=True,
        ),
    ),
    snippet="""<!-- Calendly inline widget begin -->
<div class="calendly-inline-widget" data-url="https://calendly.com/__PAGE__" style="min-width:320px;height:700px;"></div>
<script type="text/javascript" src="https://assets.calendly.com/assets/external/widget.js" async></script>
<!-- Calendly inline widget end -->""",
    placeholders=(
        Placeholder("__PAGE__", "Votre page Calendly", "Your Calendly page", r"[a-z0-9-]+(/[a-z0-9-]+)?", "nocrm/demo"),
    ),
    signal=Signal.NONE,
    audience_exemption=NOT_MEASUREMENT,
    deletion="Suppression de l'invité dans Calendly (« Delete invitee data »).",
    sources=(
        "https://calendly.com/legal/cookie-notice",
        "https://help.calendly.com/hc/en-us/articles/223147027-Embed-options-overview",
    ),
)

VENDORS = (HUBSPOT, INTERCOM, CRISP, ZENDESK, CALENDLY)
