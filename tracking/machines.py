"""Telling people from machines: mail privacy proxies, image proxies and link scanners.

Judged from the request alone (method, User-Agent) and the sending time in the token; the client's
IP address is never read. Machine events are stored too, flagged, so statistics can count them apart.
"""

from __future__ import annotations

import re
import time

from django.conf import settings
from django.http import HttpRequest

from tracking.models import MachineReason

# The patterns are matched against the lower-cased User-Agent: with re.IGNORECASE the scanner
# alternation took ~40 µs on a desktop browser's User-Agent, against ~3 µs this way.
# Image proxies that fetch every image of a message on delivery or on display, whoever reads it.
# Apple Mail Privacy Protection sends the bare "Mozilla/5.0"; Gmail, Yahoo and others name themselves.
MAIL_PROXY = re.compile(r"googleimageproxy|ggpht\.com|yahoomailproxy|yahoo! slurp|outlookimageproxy")
APPLE_PRIVACY_PROXY_AGENT = "mozilla/5.0"
# Security gateways and bots that follow every link of a message to scan it.
SCANNER = re.compile(
    r"bot\b|crawler|spider|preview|scanner|barracuda|mimecast|proofpoint|urldefense|safelinks|trendmicro|"
    r"sophos|forcepoint|fortiguard|symantec|messagelabs|cisco|ironport|zscaler|checkpoint|paloalto|"
    r"python-requests|python-urllib|aiohttp|httpx|curl/|wget/|go-http-client|java/|okhttp|libwww|headless"
)


def open_machine_reason(request: HttpRequest) -> str:
    """Why an open was not a person (a ``MachineReason``), or "" for a person."""
    if request.method == "HEAD":
        return MachineReason.HEAD
    agent = _user_agent(request)
    if agent == APPLE_PRIVACY_PROXY_AGENT or MAIL_PROXY.search(agent):
        return MachineReason.MAIL_PROXY
    if not agent or SCANNER.search(agent):
        return MachineReason.SCANNER
    return MachineReason.PERSON


def click_machine_reason(request: HttpRequest, *, sent_at: int, now: float | None = None) -> str:
    """Why a click was not a person, or "": HEAD, a scanner's User-Agent, or too soon after sending."""
    if request.method == "HEAD":
        return MachineReason.HEAD
    agent = _user_agent(request)
    if not agent or SCANNER.search(agent):
        return MachineReason.SCANNER
    if (time.time() if now is None else now) - sent_at < settings.TRACKING_SCANNER_SECONDS:
        return MachineReason.TOO_FAST
    return MachineReason.PERSON


def _user_agent(request: HttpRequest) -> str:
    # Lower-cased, for the patterns above; from META, as request.headers would copy every header first.
    return request.META.get("HTTP_USER_AGENT", "").strip().lower()
