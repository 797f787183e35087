"""Daily roll-up of the consent log for the analytics page (see consent/rollup.py).

Two plain tables, written only by ``manage.py rollup_consents`` and read only by
``consent.analytics.daily``; they are not Django models. Nothing on the decision endpoint's path
writes to them (no trigger: a decision stays exactly one INSERT).

- ``consent_rollup_daily``: one row per Paris day and action that had decisions, with the number of
  decisions and, among them, how many granted each optional purpose.
- ``consent_rollup_day``: one row per Paris day the roll-up covers, including days without a single
  decision; a day absent from it is aggregated live from the log.
"""

from django.db import migrations

FORWARD = """
CREATE TABLE consent_rollup_daily (
    day date NOT NULL,
    action varchar(10) NOT NULL,
    decisions integer NOT NULL CHECK (decisions > 0),
    preferences integer NOT NULL CHECK (preferences BETWEEN 0 AND decisions),
    statistics integer NOT NULL CHECK (statistics BETWEEN 0 AND decisions),
    advertising integer NOT NULL CHECK (advertising BETWEEN 0 AND decisions),
    PRIMARY KEY (day, action)
);
CREATE TABLE consent_rollup_day (
    day date PRIMARY KEY,
    decisions integer NOT NULL CHECK (decisions >= 0),
    rolled_up_at timestamptz NOT NULL DEFAULT now()
);
"""

BACKWARD = """
DROP TABLE IF EXISTS consent_rollup_daily;
DROP TABLE IF EXISTS consent_rollup_day;
"""


class Migration(migrations.Migration):
    dependencies = [("consent", "0004_roles")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
