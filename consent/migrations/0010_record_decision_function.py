"""A decision stored by one function call: its rate limit counted and its record inserted.

``consent_record_decision()`` does what one common table expression did before (consent.visitor.services,
``record_consent``), in one round trip still, but PostgreSQL plans its two statements once per
connection (PL/pgSQL keeps their plans) instead of planning a four-part statement on every decision:
the benchmark measured the statement at about twice the cost of a bare INSERT, and the function at
about one and a half times.

- The client's hit is counted in ``ratelimit_window`` (upsert on the window's primary key).
- Under the limit, the record is inserted (``ON CONFLICT (decision_id) DO NOTHING``: a decision sent
  again after a lost answer is stored once).
- Only when nothing was inserted (over the limit, or sent again) is the consent ID on record for that
  decision looked up, so that the retry's cookie names the stored record.

Parameters share their names with columns: ``#variable_conflict use_column`` reads a bare name as the
column, and the body names each parameter with the function's name in front.

``SECURITY INVOKER``: the caller's privileges apply (the app role may INSERT into the log, never more).
Parameters are named after the log's columns; record_consent calls them by name, and
tests/consent/test_purposes.py checks that every column is a parameter (a purpose added later needs a
new version of the function: docs/adding-a-purpose.md).
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION consent_record_decision(
    scope text, client text, window_start timestamptz, rate_limit integer,
    consent_id uuid, decision_id uuid, decided_at timestamptz, action text,
    preferences boolean, statistics boolean, advertising boolean,
    policy_revision integer, banner_hash text, language text, source text, gpc boolean,
    user_agent text, page_path text,
    OUT hits integer, OUT on_record uuid)
LANGUAGE plpgsql SET search_path = {schema}, pg_temp AS $$
#variable_conflict use_column
BEGIN
    INSERT INTO ratelimit_window AS w (scope, client, window_start, hits)
    VALUES (consent_record_decision.scope, consent_record_decision.client, consent_record_decision.window_start, 1)
    ON CONFLICT (scope, client, window_start) DO UPDATE SET hits = w.hits + 1
    RETURNING w.hits INTO hits;
    IF hits <= rate_limit THEN
        INSERT INTO consent_consentrecord AS r (
            consent_id, decision_id, decided_at, action, preferences, statistics, advertising,
            policy_revision, banner_hash, language, source, gpc, user_agent, page_path)
        VALUES (
            consent_record_decision.consent_id, consent_record_decision.decision_id,
            consent_record_decision.decided_at, consent_record_decision.action,
            consent_record_decision.preferences, consent_record_decision.statistics,
            consent_record_decision.advertising, consent_record_decision.policy_revision,
            consent_record_decision.banner_hash, consent_record_decision.language,
            consent_record_decision.source, consent_record_decision.gpc,
            consent_record_decision.user_agent, consent_record_decision.page_path)
        ON CONFLICT (decision_id) DO NOTHING
        RETURNING r.consent_id INTO on_record;
    END IF;
    IF on_record IS NULL THEN
        SELECT r.consent_id INTO on_record FROM consent_consentrecord AS r
        WHERE r.decision_id = consent_record_decision.decision_id;
    END IF;
END;
$$;
"""

BACKWARD = """
DROP FUNCTION consent_record_decision(
    text, text, timestamptz, integer, uuid, uuid, timestamptz, text, boolean, boolean, boolean,
    integer, text, text, text, boolean, text, text);
"""


def forward(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        (schema,) = cursor.fetchone()
        cursor.execute(FORWARD.format(schema=schema))


def backward(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("consent", "0009_database_roles"), ("ratelimit", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
