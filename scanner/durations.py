"""Cookie durations as marketers write them ("13 mois", "1 an", "session", "2 years") and as browsers keep them.

Declarations hold free text in French and English (consent.models.Cookie.duration); the scanner reads
it here and compares it with the expiry a browser really stored, with a tolerance that absorbs
calendar months and the seconds between setting and reading a cookie.
"""

from __future__ import annotations

import re

# Days per unit. A month is a twelfth of a Julian year, so that "12 mois" and "1 an" agree.
DAYS_PER_UNIT = {
    "minute": 1 / 1440,
    "hour": 1 / 24,
    "day": 1.0,
    "week": 7.0,
    "month": 365.25 / 12,
    "year": 365.25,
}
UNITS = {
    "minute": ("minute", "minutes", "min", "mn"),
    "hour": ("heure", "heures", "h", "hour", "hours"),
    "day": ("jour", "jours", "j", "day", "days", "d"),
    "week": ("semaine", "semaines", "week", "weeks"),
    "month": ("mois", "month", "months"),
    "year": ("an", "ans", "année", "années", "annee", "annees", "year", "years", "y"),
}
WORD_TO_UNIT = {word: unit for unit, words in UNITS.items() for word in words}
SESSION_WORDS = ("session", "fin de session", "end of session", "session cookie", "cookie de session")
AMOUNT = re.compile(r"^(\d+(?:[.,]\d+)?)\s*([^\W\d_]+)\.?$")
# Chromium keeps no cookie longer than 400 days, whatever its Expires or Max-Age said.
BROWSER_CAP_DAYS = 400.0
SESSION = "session"


class UnreadableDuration(ValueError):
    pass


def parse_duration(text: str) -> float | str:
    """Days in ``text`` ("13 mois" -> 395.7), or ``SESSION``; raises UnreadableDuration otherwise.

    Only the first part counts: "13 mois (395 jours)" is 13 months.
    """
    cleaned = " ".join(text.lower().replace("\u00a0", " ").split())
    if cleaned in SESSION_WORDS:
        return SESSION
    first = re.split(r"[(;/]| ou | or ", cleaned)[0].strip()
    match = AMOUNT.match(first)
    if not match or match.group(2) not in WORD_TO_UNIT:
        raise UnreadableDuration(text)
    return float(match.group(1).replace(",", ".")) * DAYS_PER_UNIT[WORD_TO_UNIT[match.group(2)]]


def tolerance(days: float) -> float:
    """How far an observed duration may be from a declared one: a day, or 1 % when that is more."""
    return max(1.0, days / 100)


def matches(declared: float | str, observed: float | str) -> bool:
    """Whether a cookie kept for ``observed`` days (or for the session) agrees with ``declared``.

    A cookie at the browser's 400-day cap was set for at least that long: any declaration of 400 days
    or more agrees with it.
    """
    if declared == SESSION or observed == SESSION:
        return declared == observed
    assert isinstance(declared, float) and isinstance(observed, float)
    if observed >= BROWSER_CAP_DAYS - 1 and declared >= BROWSER_CAP_DAYS:
        return True
    return abs(declared - observed) <= tolerance(declared)


def describe(observed: float | str, language: str) -> str:
    """A duration as a marketer would declare it, in ``language`` ("fr" or "en"): "2 ans", "90 days"."""
    french = language == "fr"
    if observed == SESSION:
        return "session"
    assert isinstance(observed, float)
    for unit, fr, en in (("year", ("an", "ans"), ("year", "years")), ("month", ("mois", "mois"), ("month", "months"))):
        count = round(observed / DAYS_PER_UNIT[unit])
        if count >= 1 and abs(count * DAYS_PER_UNIT[unit] - observed) <= tolerance(observed):
            words = fr if french else en
            return f"{count} {words[count > 1]}"
    days = max(1, round(observed))
    return f"{days} {'jour' if french else 'day'}{'s' if days > 1 else ''}"
