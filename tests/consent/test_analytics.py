"""Analytics figures for a known set of decisions: per day in Paris time, computed in one query."""

from datetime import date

import pytest
from django.urls import reverse

from consent.analytics import daily, total
from consent.periods import day_start
from tests.consent.test_roles import login
from tests.factories import make_record, utc

ALL = {"preferences": True, "statistics": True, "advertising": True}


@pytest.fixture
def decisions(db):
    # 2 March (Paris): 2 accept all, 1 reject all, 1 custom (preferences and statistics).
    make_record(decided_at=utc("2026-03-02T08:00:00+00:00"), action="accept_all", **ALL)
    make_record(decided_at=utc("2026-03-02T09:00:00+00:00"), action="accept_all", **ALL)
    make_record(decided_at=utc("2026-03-02T10:00:00+00:00"), action="reject_all")
    make_record(decided_at=utc("2026-03-02T22:59:00+00:00"), action="custom", preferences=True, statistics=True)
    # 3 March (Paris) from 23:00 UTC on the 2nd: one close, one accept all.
    make_record(decided_at=utc("2026-03-02T23:00:00+00:00"), action="close")
    make_record(decided_at=utc("2026-03-03T12:00:00+00:00"), action="accept_all", **ALL)
    # Outside the period.
    make_record(decided_at=utc("2026-03-03T23:00:00+00:00"), action="accept_all", **ALL)


def test_daily_counts_actions_and_opt_ins_per_paris_day(decisions, django_assert_num_queries):
    with django_assert_num_queries(1):
        days = daily(day_start(date(2026, 3, 2)), day_start(date(2026, 3, 4)))
    assert [(d.day, d.decisions) for d in days] == [(date(2026, 3, 2), 4), (date(2026, 3, 3), 2)]
    first, second = days
    assert first.actions == {"accept_all": 2, "custom": 1, "reject_all": 1, "close": 0, "withdraw": 0}
    assert (first.share("accept_all"), first.share("reject_all"), first.share("custom")) == (0.5, 0.25, 0.25)
    assert (first.opt_in("preferences"), first.opt_in("statistics"), first.opt_in("advertising")) == (0.75, 0.75, 0.5)
    assert (second.share("close"), second.opt_in("advertising")) == (0.5, 0.5)
    period = total(days)
    assert period.decisions == 6 and period.actions["accept_all"] == 3 and period.opt_in("statistics") == 4 / 6


def test_analytics_page_draws_two_svg_charts_and_the_period_totals(client, decisions):
    login(client, "Marketing")
    response = client.get(
        reverse("admin:consent_consentrecord_analytics"), {"since": "2026-03-02", "until": "2026-03-04"}
    )
    assert response.status_code == 200
    assert response.text.count('<svg role="img"') == 2
    assert "2026-03-02 · Tout accepter : 50%" in response.text
    assert "6 décisions sur la période" in response.text
    assert "50,0 %" in response.text  # accept all over the period
    assert "https://" not in response.text.split('id="content"')[1].split("</svg>")[0]  # nothing from a CDN


def test_analytics_csv_gives_the_daily_figures(client, decisions):
    login(client, "Marketing")
    response = client.get(
        reverse("admin:consent_consentrecord_analytics"),
        {"since": "2026-03-02", "until": "2026-03-04", "format": "csv"},
    )
    assert response["Content-Disposition"] == 'attachment; filename="statistiques_2026-03-02_2026-03-04.csv"'
    assert response.content.decode().splitlines() == [
        "day,decisions,accept_all,custom,reject_all,close,withdraw,preferences_opt_in,statistics_opt_in,advertising_opt_in",
        "2026-03-02,4,2,1,1,0,0,0.7500,0.7500,0.5000",
        "2026-03-03,2,1,0,0,1,0,0.5000,0.5000,0.5000",
    ]


def test_analytics_defaults_to_the_last_30_days(client, db):
    login(client, "Marketing")
    response = client.get(reverse("admin:consent_consentrecord_analytics"))
    assert response.status_code == 200 and "Aucune décision sur cette période." in response.text
