"""Analytics figures for a known set of decisions: per day in Paris time, computed in one query,
the same with or without the daily roll-up."""

import io
from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from consent.backoffice.analytics import daily, to_csv, total
from consent.backoffice.periods import day_start
from consent.backoffice.retention import purge_consents
from consent.backoffice.rollup import DAILY_TABLE, DAYS_TABLE, roll_up, settled_until
from tests.consent.factories import make_record, utc
from tests.consent.helpers import login

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


# The daily roll-up (consent/rollup.py): same figures, whatever part of the period it covers.

MARCH = (day_start(date(2026, 3, 1)), day_start(date(2026, 4, 1)))


@pytest.fixture
def dst(decisions):
    """Around the switch to summer time (Sunday 29 March 2026, a 23-hour day in Paris), plus ``decisions``."""
    make_record(decided_at=utc("2026-03-28T22:59:59+00:00"), action="custom", statistics=True)  # 28th, 23:59:59
    make_record(decided_at=utc("2026-03-28T23:00:00+00:00"), action="accept_all", **ALL)  # 29th, 00:00
    make_record(decided_at=utc("2026-03-29T01:30:00+00:00"), action="withdraw")  # 29th, 03:30 (CEST)
    make_record(decided_at=utc("2026-03-29T21:59:59+00:00"), action="reject_all")  # 29th, 23:59:59
    make_record(decided_at=utc("2026-03-29T22:00:00+00:00"), action="close")  # 30th, 00:00


def _rollup_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {DAILY_TABLE} ORDER BY day, action")
        daily_rows = cursor.fetchall()
        cursor.execute(f"SELECT day, decisions FROM {DAYS_TABLE} ORDER BY day")
        return daily_rows + cursor.fetchall()


def test_the_figures_are_the_same_with_and_without_the_rollup(dst, django_assert_num_queries):
    live = daily(*MARCH)
    assert [(d.day, d.decisions) for d in live] == [
        (date(2026, 3, 2), 4),
        (date(2026, 3, 3), 2),
        (date(2026, 3, 4), 1),
        (date(2026, 3, 28), 1),
        (date(2026, 3, 29), 3),
        (date(2026, 3, 30), 1),
    ]
    assert roll_up(date(2026, 3, 1), date(2026, 4, 1)).decisions == 12
    with django_assert_num_queries(1):
        assert daily(*MARCH) == live
    assert to_csv(daily(*MARCH)) == to_csv(live)


def test_a_partly_rolled_up_period_adds_the_live_days(dst):
    live = {(start, end): daily(start, end) for start, end in _periods()}
    roll_up(date(2026, 3, 2), date(2026, 3, 3))  # only the 2nd, then the 29th
    roll_up(date(2026, 3, 29), date(2026, 3, 30))
    for (start, end), days in live.items():
        assert daily(start, end) == days, (start, end)


def _periods() -> list[tuple[datetime, datetime]]:
    """Whole days, and periods cut inside a rolled-up day (which must then be counted live)."""
    return [
        MARCH,
        (day_start(date(2026, 3, 2)), day_start(date(2026, 3, 3))),
        (day_start(date(2026, 3, 3)), day_start(date(2026, 3, 29))),
        (utc("2026-03-02T08:30:00+00:00"), day_start(date(2026, 3, 5))),  # from the middle of the 2nd
        (day_start(date(2026, 3, 1)), utc("2026-03-29T10:00:00+00:00")),  # to the middle of the 29th
        (utc("2026-03-02T09:00:00+00:00"), utc("2026-03-02T09:00:00.000001+00:00")),  # one microsecond
    ]


def test_paris_days_across_utc_midnight_and_the_summer_time_switch(dst):
    roll_up(date(2026, 3, 1), date(2026, 4, 1))
    days = {d.day: d for d in daily(*MARCH)}
    # 22:59 UTC on the 2nd is still the 2nd in Paris, 23:00 UTC is the 3rd.
    assert days[date(2026, 3, 2)].actions["custom"] == 1 and days[date(2026, 3, 3)].actions["close"] == 1
    # The 29th runs from 23:00 UTC on the 28th to 22:00 UTC on the 29th (23 hours).
    assert days[date(2026, 3, 28)].actions == {"accept_all": 0, "custom": 1, "reject_all": 0, "close": 0, "withdraw": 0}
    assert days[date(2026, 3, 29)].actions == {"accept_all": 1, "custom": 0, "reject_all": 1, "close": 0, "withdraw": 1}
    assert days[date(2026, 3, 29)].granted == {"preferences": 1, "statistics": 1, "advertising": 1}
    assert days[date(2026, 3, 30)].actions["close"] == 1
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT day, decisions FROM {DAYS_TABLE} WHERE day BETWEEN '2026-03-28' AND '2026-03-30'")
        assert sorted(cursor.fetchall()) == [(date(2026, 3, 28), 1), (date(2026, 3, 29), 3), (date(2026, 3, 30), 1)]


def test_rolled_up_days_are_read_from_the_rollup(decisions):
    roll_up(date(2026, 3, 2), date(2026, 3, 3))
    # Impossible in production (the day is settled), so a record added now shows where figures come from.
    make_record(decided_at=utc("2026-03-02T12:00:00+00:00"), action="close")
    make_record(decided_at=utc("2026-03-03T12:00:00+00:00"), action="close")
    first, second = daily(day_start(date(2026, 3, 2)), day_start(date(2026, 3, 4)))
    assert (first.decisions, second.decisions) == (4, 3)


def test_the_rollup_is_idempotent_and_recomputes_its_days_exactly(dst):
    first = roll_up(date(2026, 3, 1), date(2026, 4, 1))
    rows = _rollup_rows()
    assert roll_up(date(2026, 3, 1), date(2026, 4, 1)) == first
    assert _rollup_rows() == rows
    # Whatever a recomputed day held before, it then holds exactly what the log says.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {DAILY_TABLE} SET decisions = 40, preferences = 0 WHERE day = '2026-03-02'")
        cursor.execute(f"INSERT INTO {DAILY_TABLE} VALUES ('2026-03-02', 'withdraw', 1, 0, 0, 0)")
        cursor.execute(f"UPDATE {DAYS_TABLE} SET decisions = 99 WHERE day = '2026-03-02'")
    roll_up(date(2026, 3, 2), date(2026, 3, 3))
    assert _rollup_rows() == rows


def test_the_command_rolls_up_settled_days_not_rolled_up_yet_then_nothing(decisions):
    out = io.StringIO()
    call_command("rollup_consents", stdout=out)
    until = settled_until()
    assert (
        f"{(until - date(2026, 3, 2)).days} days from 2026-03-02 to {until} (exclusive) rolled up: 7" in out.getvalue()
    )
    rows = _rollup_rows()
    call_command("rollup_consents", stdout=(out := io.StringIO()))
    assert "Nothing to roll up" in out.getvalue() and _rollup_rows() == rows
    call_command("rollup_consents", "--since", str(settled_until()), stdout=(out := io.StringIO()))
    assert out.getvalue().startswith("Nothing to roll up: only days from ")
    assert f"to {settled_until()} (exclusive, settled) are." in out.getvalue()
    call_command("rollup_consents", "--since", "2026-03-01", "--until", "2026-03-10", stdout=(out := io.StringIO()))
    assert "9 days from 2026-03-01 to 2026-03-10 (exclusive) rolled up: 7 decisions." in out.getvalue()
    # The same rows, plus the coverage of the 1st: a day without decisions, before the oldest record.
    after = _rollup_rows()
    assert set(after) == {*rows, (date(2026, 3, 1), 0)} and len(after) == len(rows) + 1


def test_days_that_may_still_receive_resent_decisions_are_not_rolled_up(decisions):
    # A decision re-sent after an outage keeps its time if it is at most 7 days old.
    assert roll_up(date(2026, 3, 1), date(2026, 3, 5), now=utc("2026-03-09T12:00:00+00:00")).until == date(2026, 3, 2)
    assert roll_up(date(2026, 3, 1), date(2026, 3, 5), now=utc("2026-03-10T12:00:00+00:00")).until == date(2026, 3, 3)
    assert roll_up(date(2026, 3, 1), date(2026, 3, 5), now=utc("2026-03-01T12:00:00+00:00")).days == 0
    # Every day before the one that started 7 days and an hour ago is settled.
    assert settled_until(now=utc("2026-03-10T00:30:00+00:00")) == date(2026, 3, 3)  # 1:30 on the 10th in Paris
    assert settled_until(now=utc("2026-03-09T23:30:00+00:00")) == date(2026, 3, 2)


def test_the_rollup_keeps_its_counts_after_the_purge_and_never_recomputes_a_purged_day(decisions, log_retention):
    roll_up(date(2026, 3, 1), date(2026, 3, 5))
    before, rows = daily(*MARCH), _rollup_rows()
    cutoff = utc("2026-03-03T06:00:00+00:00")  # the 2nd and part of the 3rd go
    log_retention((timezone.now() - cutoff).days)  # today's cutoff: early on 3 March (the purge obeys it)
    assert purge_consents(cutoff=cutoff).count == 5
    assert daily(*MARCH) == before
    purged = roll_up(date(2026, 3, 1), date(2026, 3, 10))
    assert purged.since >= date(2026, 3, 4) and daily(*MARCH) == before
    assert [row for row in _rollup_rows() if row[0] < date(2026, 3, 5)] == rows


@pytest.mark.parametrize("rolled_up", [False, True])
def test_analytics_csv_is_the_same_from_the_rollup(client, dst, rolled_up):
    if rolled_up:
        call_command("rollup_consents", stdout=io.StringIO())
    login(client, "Marketing")
    response = client.get(
        reverse("admin:consent_consentrecord_analytics"),
        {"since": "2026-03-02", "until": "2026-03-04", "format": "csv"},
    )
    assert response.content.decode().splitlines()[1:] == [
        "2026-03-02,4,2,1,1,0,0,0.7500,0.7500,0.5000",
        "2026-03-03,2,1,0,0,1,0,0.5000,0.5000,0.5000",
    ]
