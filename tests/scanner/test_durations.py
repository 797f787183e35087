"""Declared durations, French and English, against what a browser keeps."""

import pytest

from scanner.durations import SESSION, UnreadableDuration, describe, matches, parse_duration


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("13 mois", 13 * 365.25 / 12),
        ("1 an", 365.25),
        ("2 ans", 730.5),
        ("2 years", 730.5),
        ("6 months", 182.625),
        ("90 jours", 90),
        ("30 days", 30),
        ("2 semaines", 14),
        ("1 week", 7),
        ("24 heures", 1),
        ("1,5 an", 547.875),
        ("13 mois (395 jours)", 13 * 365.25 / 12),
        ("  13\u00a0Mois ", 13 * 365.25 / 12),
    ],
)
def test_declared_durations_read_in_french_and_english(text, days):
    assert parse_duration(text) == pytest.approx(days)


@pytest.mark.parametrize("text", ["session", "Session", "fin de session", "end of session"])
def test_session_cookies_are_named_in_either_language(text):
    assert parse_duration(text) == SESSION


@pytest.mark.parametrize("text", ["", "longtemps", "13", "mois", "13 lunes", "-1 an"])
def test_unreadable_durations_are_refused(text):
    with pytest.raises(UnreadableDuration):
        parse_duration(text)


def test_a_day_or_one_percent_of_tolerance():
    assert matches(parse_duration("1 an"), 364.0)  # a year of 365 days, read a second later
    assert matches(parse_duration("13 mois"), 395.0)
    assert not matches(parse_duration("13 mois"), 400.0)  # GA4's two years, capped by Chromium
    assert matches(parse_duration("7 jours"), 6.1)
    assert not matches(parse_duration("7 jours"), 5.5)
    assert not matches(parse_duration("30 jours"), SESSION)
    assert not matches(SESSION, 30.0)
    assert matches(SESSION, SESSION)


def test_at_the_browser_cap_a_longer_declaration_agrees():
    assert matches(parse_duration("2 ans"), 400.0)
    assert not matches(parse_duration("2 ans"), 399.0 - 3)


def test_observed_durations_are_described_as_a_marketer_declares_them():
    assert describe(730.4, "fr") == "2 ans"
    assert describe(730.4, "en") == "2 years"
    assert describe(395.6, "fr") == "13 mois"
    assert describe(91.3, "en") == "3 months"
    assert describe(1.0, "fr") == "1 jour"
    assert describe(12.0, "en") == "12 days"
    assert describe(SESSION, "fr") == "session"
