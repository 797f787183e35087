"""The decision's rate limit also counts an IPv6 client's /48 (issue 27; ratelimit/clients.py).

``consent_record_decision()`` gains ``network`` and ``network_limit`` (NULL for an IPv4 client: one
upsert, as before) and says itself whether the decision was ``limited``. Otherwise as in migration 0012.
"""

from django.db import migrations

from consent import privileges
from consent.policy import CLOCK_SKEW, MAX_RESEND_AGE

SKEW = f"interval '{int(CLOCK_SKEW.total_seconds())} seconds'"
RESEND = f"interval '{int(MAX_RESEND_AGE.total_seconds())} seconds'"
OLD = """@S.consent_record_decision(
    text, text, timestamptz, integer, uuid, uuid, timestamptz, text, boolean, boolean, boolean,
    integer, text, text, text, boolean, text, text)"""

FORWARD = """
DROP FUNCTION @OLD;

CREATE FUNCTION @S.consent_record_decision(
    scope text, client text, window_start timestamptz, rate_limit integer,
    consent_id uuid, decision_id uuid, decided_at timestamptz, action text,
    preferences boolean, statistics boolean, advertising boolean,
    policy_revision integer, banner_hash text, language text, source text, gpc boolean,
    user_agent text, page_path text, network text DEFAULT NULL, network_limit integer DEFAULT NULL,
    OUT limited boolean, OUT inserted boolean, OUT on_record uuid, OUT stored_action text,
    OUT stored_preferences boolean, OUT stored_statistics boolean, OUT stored_advertising boolean,
    OUT stored_revision integer, OUT stored_decided_at timestamptz)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    hits integer;
    network_hits integer;
BEGIN
    INSERT INTO @S.ratelimit_window AS w (scope, client, window_start, hits)
    VALUES (consent_record_decision.scope, consent_record_decision.client, consent_record_decision.window_start, 1)
    ON CONFLICT (scope, client, window_start) DO UPDATE SET hits = w.hits + 1
    RETURNING w.hits INTO hits;
    IF consent_record_decision.network IS NOT NULL THEN
        INSERT INTO @S.ratelimit_window AS w (scope, client, window_start, hits)
        VALUES (consent_record_decision.scope, consent_record_decision.network, consent_record_decision.window_start, 1)
        ON CONFLICT (scope, client, window_start) DO UPDATE SET hits = w.hits + 1
        RETURNING w.hits INTO network_hits;
    END IF;
    limited := hits > rate_limit OR coalesce(network_hits > network_limit, false);
    inserted := false;
    IF NOT limited THEN
        -- The clock recorded_at reads (Django's Now() is statement_timestamp()): the CHECK's window.
        stored_decided_at := CASE
            WHEN consent_record_decision.decided_at
                 BETWEEN statement_timestamp() - @RESEND AND statement_timestamp() + @SKEW
            THEN consent_record_decision.decided_at ELSE statement_timestamp() END;
        INSERT INTO @S.consent_consentrecord AS r (
            consent_id, decision_id, decided_at, action, preferences, statistics, advertising,
            policy_revision, banner_hash, language, source, gpc, user_agent, page_path)
        VALUES (
            consent_record_decision.consent_id, consent_record_decision.decision_id, stored_decided_at,
            consent_record_decision.action,
            consent_record_decision.preferences, consent_record_decision.statistics,
            consent_record_decision.advertising, consent_record_decision.policy_revision,
            consent_record_decision.banner_hash, consent_record_decision.language,
            consent_record_decision.source, consent_record_decision.gpc,
            consent_record_decision.user_agent, consent_record_decision.page_path)
        ON CONFLICT (decision_id) DO NOTHING
        RETURNING true INTO inserted;
        inserted := coalesce(inserted, false);
    END IF;
    IF inserted THEN
        -- The row just stored holds what was given: answered without reading it back.
        on_record := consent_record_decision.consent_id;
        stored_action := consent_record_decision.action;
        stored_preferences := consent_record_decision.preferences;
        stored_statistics := consent_record_decision.statistics;
        stored_advertising := consent_record_decision.advertising;
        stored_revision := consent_record_decision.policy_revision;
    ELSE
        SELECT r.consent_id, r.action, r.preferences, r.statistics, r.advertising, r.policy_revision, r.decided_at
        INTO on_record, stored_action, stored_preferences, stored_statistics, stored_advertising,
             stored_revision, stored_decided_at
        FROM @S.consent_consentrecord AS r WHERE r.decision_id = consent_record_decision.decision_id;
    END IF;
END;
$$;
"""


def forward(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        (schema,) = cursor.fetchone()
        sql = FORWARD.replace("@OLD", OLD).replace("@SKEW", SKEW).replace("@RESEND", RESEND).replace("@S", schema)
        cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("consent", "0013_seal_timestamps")]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RunPython(privileges.grant, migrations.RunPython.noop),
    ]
