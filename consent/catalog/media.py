"""Embedded videos and maps: the facts of each vendor, from its own documentation."""

from __future__ import annotations

from consent.catalog.analytics import DPF, GOOGLE_PRIVACY
from consent.catalog.types import Placeholder, Signal, Vendor, tracker
from consent.models import PurposeSlug

PREFS = PurposeSlug.PREFERENCES
NOT_MEASUREMENT = "Sans objet : ce n'est pas un outil de mesure d'audience."

YOUTUBE = Vendor(
    slug="youtube",
    name="YouTube (mode de confidentialité renforcée)",
    legal_name="Google Ireland Limited",
    country="IE",
    privacy_url=GOOGLE_PRIVACY,
    data_location="Union européenne et États-Unis (Google LLC)",
    transfer_basis=DPF,
    purpose=PREFS,
    hosts=("youtube-nocookie.com", "youtube.com", "ytimg.com", "googlevideo.com"),
    trackers=(
        tracker(
            "yt-remote-*",
            PREFS,
            ("persistant", "persistent"),
            ("Réglages du lecteur vidéo.", "The video player's settings."),
            storage="localStorage",
        ),
        tracker(
            "yt-player-*",
            PREFS,
            ("persistant", "persistent"),
            ("Préférences de lecture (qualité, volume).", "Playback preferences (quality, volume)."),
            storage="localStorage",
        ),
    ),
    snippet="""<iframe width="560" height="315" src="https://www.youtube-nocookie.com/embed/__VIDEO_ID__" title="YouTube video player" frameborder="0" allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture; web-share" referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe>""",
    placeholders=(Placeholder("__VIDEO_ID__", "ID de la vidéo", "Video ID", r"[A-Za-z0-9_-]{11}", "dQw4w9WgXcQ"),),
    signal=Signal.NONE,
    audience_exemption=NOT_MEASUREMENT,
    deletion="Centre « Mes données » de Google ; pas d'API par visiteur.",
    sources=(
        "https://support.google.com/youtube/answer/171780",
        "https://policies.google.com/technologies/cookies",
    ),
)

VIMEO = Vendor(
    slug="vimeo",
    name="Vimeo",
    legal_name="Vimeo.com, Inc.",
    country="US",
    privacy_url="https://vimeo.com/privacy",
    data_location="États-Unis",
    transfer_basis=DPF,
    purpose=PREFS,
    hosts=("vimeo.com", "vimeocdn.com"),
    trackers=(
        tracker(
            "vuid",
            PREFS,
            ("2 ans", "2 years"),
            ("Identifiant du lecteur Vimeo (vimeo.com), absent avec dnt=1.", "Vimeo's player ID, none with dnt=1."),
            third_party=True,
        ),
    ),
    snippet="""<iframe src="https://player.vimeo.com/video/__VIDEO_ID__?dnt=1" width="640" height="360" frameborder="0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe>""",
    placeholders=(Placeholder("__VIDEO_ID__", "ID de la vidéo", "Video ID", r"[0-9]{6,12}", "76979871"),),
    signal=Signal.NONE,
    audience_exemption=NOT_MEASUREMENT,
    deletion="Demande à privacy@vimeo.com ; pas d'API par visiteur.",
    sources=(
        "https://vimeo.com/cookie_policy",
        "https://help.vimeo.com/hc/en-us/articles/26080940921361-Vimeo-Player-Cookies",
    ),
)

GOOGLE_MAPS = Vendor(
    slug="google-maps",
    name="Google Maps",
    legal_name="Google Ireland Limited",
    country="IE",
    privacy_url=GOOGLE_PRIVACY,
    data_location="Union européenne et États-Unis (Google LLC)",
    transfer_basis=DPF,
    purpose=PREFS,
    hosts=("google.com", "googleapis.com", "gstatic.com"),
    trackers=(
        tracker(
            "NID",
            PREFS,
            ("6 mois", "6 months"),
            ("Préférences et identifiant Google (google.com).", "Google's preferences and ID (google.com)."),
            third_party=True,
        ),
    ),
    snippet="""<iframe src="https://www.google.com/maps/embed?pb=__EMBED_PARAMS__" width="600" height="450" style="border:0;" allowfullscreen="" loading="lazy" referrerpolicy="no-referrer-when-downgrade"></iframe>""",
    placeholders=(
        Placeholder(
            "__EMBED_PARAMS__",
            "Paramètres « pb » du lien d'intégration",
            "The embed link's pb parameters",
            r"[A-Za-z0-9!._%-]{10,2000}",
            "!1m18!1m12!1m3!1d2530.1!2d3.18!3d50.65",
        ),
    ),
    signal=Signal.NONE,
    audience_exemption=NOT_MEASUREMENT,
    deletion="Centre « Mes données » de Google ; pas d'API par visiteur.",
    sources=(
        "https://developers.google.com/maps/documentation/embed/get-started",
        "https://policies.google.com/technologies/cookies",
    ),
)

VENDORS = (YOUTUBE, VIMEO, GOOGLE_MAPS)
