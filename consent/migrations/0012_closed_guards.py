"""The log's guards closed against the app role (issue 27, docs/decisions/0005 and 0006).

- Every function of the owner runs with ``SET search_path = pg_catalog, pg_temp`` and names each table
  and function with its schema, with typed arguments: a role that may create objects in a schema can
  no longer slip an overload (``consent_retention_cutoff(text)``, which PostgreSQL preferred for the
  trigger's untyped NULL) or a table under the owner's rights.
- The app role inserts only the decision's fields into the log: ``id`` and ``recorded_at`` come from
  the database, and a CHECK keeps ``decided_at`` between the resend window behind ``recorded_at`` and
  the clock skew ahead of it. ``consent_record_decision()`` brings a decision's time inside that window
  with the database's clock (the one ``recorded_at`` reads), and answers a re-sent decision with the
  stored row.
- The seals are written by ``consent_seal_next_day()`` only (``SECURITY DEFINER``): the next settled
  day, its digest computed here, chained to the last seal. The app role keeps SELECT on the seals.
- ``consent.privileges.grant`` then revokes CREATE on every schema from the app role and PUBLIC, and
  limits the log's INSERT to its columns.

The CHECK is added ``NOT VALID``: rows stored before it were bound by the web server's clock, not the
database's, and an append-only log cannot be corrected; every new row is checked.
"""

from django.db import migrations, models

from consent import privileges
from consent.backoffice import seals
from consent.policy import CLOCK_SKEW, MAX_RESEND_AGE

SKEW = f"interval '{int(CLOCK_SKEW.total_seconds())} seconds'"
RESEND = f"interval '{int(MAX_RESEND_AGE.total_seconds())} seconds'"

FUNCTIONS = """
CREATE OR REPLACE FUNCTION @S.consent_retention_cutoff(requested timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN (SELECT least(requested, now() - make_interval(days => r.days)) FROM @S.consent_log_retention AS r);

CREATE OR REPLACE FUNCTION @S.append_only_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- consent_purge_expired() runs as the owner of the table it deletes from.
    IF TG_OP = 'DELETE' AND 'purge' = ANY (TG_ARGV)
            AND current_user = (SELECT pg_get_userbyid(c.relowner) FROM pg_catalog.pg_class AS c WHERE c.oid = TG_RELID) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING HINT = 'Expired consent records are removed by manage.py purge_consents only.';
END;
$$;

CREATE OR REPLACE FUNCTION @S.consent_record_kept() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cutoff timestamptz := @S.consent_retention_cutoff(NULL::timestamptz);
BEGIN
    IF cutoff IS NULL OR EXISTS (SELECT FROM deleted WHERE decided_at >= cutoff) THEN
        RAISE EXCEPTION 'consent records decided on or after % are kept: DELETE refused', cutoff
            USING HINT = 'Expired consent records are removed by manage.py purge_consents only.';
    END IF;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION @S.consent_purge_expired(cutoff timestamptz, batch_size integer) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH purged AS (
        DELETE FROM @S.consent_consentrecord WHERE id = ANY(ARRAY(
            SELECT r.id FROM @S.consent_consentrecord AS r
            WHERE r.decided_at < @S.consent_retention_cutoff(cutoff)
            ORDER BY r.decided_at LIMIT greatest(batch_size, 1)))
        RETURNING 1
    )
    SELECT count(*)::integer FROM purged;
END;

DROP FUNCTION @S.consent_record_decision(
    text, text, timestamptz, integer, uuid, uuid, timestamptz, text, boolean, boolean, boolean,
    integer, text, text, text, boolean, text, text);

-- Runs as the caller (the app role, column-limited INSERT). The decision's time is brought inside the
-- window the log's CHECK allows, by the clock recorded_at reads (Django's Now() is statement_timestamp());
-- a decision stored before (re-sent) is answered with the stored row, which the view compares with
-- what was sent.
CREATE FUNCTION @S.consent_record_decision(
    scope text, client text, window_start timestamptz, rate_limit integer,
    consent_id uuid, decision_id uuid, decided_at timestamptz, action text,
    preferences boolean, statistics boolean, advertising boolean,
    policy_revision integer, banner_hash text, language text, source text, gpc boolean,
    user_agent text, page_path text,
    OUT hits integer, OUT inserted boolean, OUT on_record uuid, OUT stored_action text,
    OUT stored_preferences boolean, OUT stored_statistics boolean, OUT stored_advertising boolean,
    OUT stored_revision integer, OUT stored_decided_at timestamptz)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
BEGIN
    INSERT INTO @S.ratelimit_window AS w (scope, client, window_start, hits)
    VALUES (consent_record_decision.scope, consent_record_decision.client, consent_record_decision.window_start, 1)
    ON CONFLICT (scope, client, window_start) DO UPDATE SET hits = w.hits + 1
    RETURNING w.hits INTO hits;
    inserted := false;
    IF hits <= rate_limit THEN
        INSERT INTO @S.consent_consentrecord AS r (
            consent_id, decision_id, decided_at, action, preferences, statistics, advertising,
            policy_revision, banner_hash, language, source, gpc, user_agent, page_path)
        VALUES (
            consent_record_decision.consent_id, consent_record_decision.decision_id,
            CASE WHEN consent_record_decision.decided_at
                      BETWEEN statement_timestamp() - @RESEND AND statement_timestamp() + @SKEW
                 THEN consent_record_decision.decided_at ELSE statement_timestamp() END,
            consent_record_decision.action,
            consent_record_decision.preferences, consent_record_decision.statistics,
            consent_record_decision.advertising, consent_record_decision.policy_revision,
            consent_record_decision.banner_hash, consent_record_decision.language,
            consent_record_decision.source, consent_record_decision.gpc,
            consent_record_decision.user_agent, consent_record_decision.page_path)
        ON CONFLICT (decision_id) DO NOTHING
        RETURNING true, r.consent_id, r.action, r.preferences, r.statistics, r.advertising,
                  r.policy_revision, r.decided_at
        INTO inserted, on_record, stored_action, stored_preferences, stored_statistics, stored_advertising,
             stored_revision, stored_decided_at;
        inserted := coalesce(inserted, false);
    END IF;
    IF NOT inserted THEN
        SELECT r.consent_id, r.action, r.preferences, r.statistics, r.advertising, r.policy_revision, r.decided_at
        INTO on_record, stored_action, stored_preferences, stored_statistics, stored_advertising,
             stored_revision, stored_decided_at
        FROM @S.consent_consentrecord AS r WHERE r.decision_id = consent_record_decision.decision_id;
    END IF;
END;
$$;

-- The one writer of the seals: the next settled day after the last seal (the oldest record's day for
-- the first), its digest computed here (docs/decisions/0006, version 1), chained to the last seal.
-- ``as_of`` may only move the moment back (tests, a dry look at an earlier night), never forward.
CREATE FUNCTION @S.consent_seal_next_day(as_of timestamptz DEFAULT NULL) RETURNS @S.consent_dayseal
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    moment timestamptz := least(coalesce(as_of, now()), now());
    settled date := ((moment - @RESEND - interval '1 hour') AT TIME ZONE '@TZ')::date;
    last_seal @S.consent_dayseal;
    sealed @S.consent_dayseal;
    next_day date;
BEGIN
    -- Two runs at once would both seal the same day; the second waits here, then seals the next one.
    PERFORM pg_advisory_xact_lock('@S.consent_dayseal'::regclass::oid::bigint);
    SELECT * INTO last_seal FROM @S.consent_dayseal AS s ORDER BY s.day DESC LIMIT 1;
    IF last_seal.day IS NOT NULL THEN
        next_day := last_seal.day + 1;
    ELSE
        SELECT (min(r.decided_at) AT TIME ZONE '@TZ')::date INTO next_day FROM @S.consent_consentrecord AS r;
    END IF;
    IF next_day IS NULL OR next_day >= settled THEN
        RETURN NULL;
    END IF;
    SELECT count(*)::integer,
           encode(sha256(convert_to(coalesce(
               string_agg(@HASH || E'\\n', '' ORDER BY r.decided_at, r.id), ''), 'UTF8')), 'hex')
    INTO sealed.records, sealed.records_digest
    FROM @S.consent_consentrecord AS r
    WHERE r.decided_at >= (next_day::timestamp AT TIME ZONE '@TZ')
      AND r.decided_at < ((next_day + 1)::timestamp AT TIME ZONE '@TZ');
    sealed.previous_digest := coalesce(last_seal.digest, repeat('0', 64));
    sealed.digest := encode(sha256(convert_to(
        concat_ws(E'\\n', '1', to_char(next_day, 'YYYY-MM-DD'), sealed.records::text, sealed.records_digest,
                  sealed.previous_digest) || E'\\n', 'UTF8')), 'hex');
    INSERT INTO @S.consent_dayseal AS s (day, version, records, records_digest, previous_digest, digest)
    VALUES (next_day, 1, sealed.records, sealed.records_digest, sealed.previous_digest, sealed.digest)
    RETURNING s.* INTO sealed;
    RETURN sealed;
END;
$$;

ALTER TABLE @S.consent_consentrecord ADD CONSTRAINT consent_decided_near_recorded
    CHECK (decided_at <= recorded_at + @SKEW AND decided_at >= recorded_at - @RESEND) NOT VALID;
"""


def forward(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        (schema,) = cursor.fetchone()
        sql = (
            FUNCTIONS.replace("@HASH", seals.record_hash_sql(1))  # version 1, frozen
            .replace("@SKEW", SKEW)
            .replace("@RESEND", RESEND)
            .replace("@TZ", seals.TIME_ZONE)
            .replace("@S", schema)
        )
        cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("consent", "0011_provider_hosts")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, migrations.RunPython.noop)],
            state_operations=[
                migrations.AddConstraint(
                    model_name="consentrecord",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            decided_at__lte=models.F("recorded_at") + CLOCK_SKEW,
                            decided_at__gte=models.F("recorded_at") - MAX_RESEND_AGE,
                        ),
                        name="consent_decided_near_recorded",
                    ),
                ),
            ],
        ),
        migrations.RunPython(privileges.grant, migrations.RunPython.noop),
    ]
