"""The consent log against anyone who is not the retention purge (docs/decisions/0005-database-roles.md).

- ``append_only_guard()`` replaces 0002's trigger function: UPDATE, DELETE and TRUNCATE are refused,
  whatever the session has set (``consent.allow_purge`` opens nothing any more); on the consent log,
  DELETEs made as the table's owner pass, and ``consent_record_kept`` then refuses the statement if
  it reached a record younger than the retention period.
- ``consent_log_retention`` holds that period, one row owned by the owner role; ``migrate --database
  owner`` copies ``CONSENT_LOG_RETENTION_DAYS`` into it (consent.backoffice.retention).
- ``consent_purge_expired(cutoff, batch_size)`` deletes one batch of expired records as the owner
  (``SECURITY DEFINER``), never past ``consent_retention_cutoff()``, whatever cutoff it is given.
- The app role gets SELECT and INSERT on the log and EXECUTE on the purge (consent.privileges.grant).

Every function pins its ``search_path`` (its schema, then ``pg_temp``), so that no temporary table or
function of the caller's can stand in for the real ones.
"""

from django.conf import settings
from django.db import migrations

from consent import privileges

FORWARD = """
CREATE TABLE consent_log_retention (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    days integer NOT NULL CHECK (days > 0)
);
INSERT INTO consent_log_retention (days) VALUES ({days});

-- Records decided before this moment have outlived the retention period; a later cutoff is clamped.
CREATE FUNCTION consent_retention_cutoff(requested timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE SET search_path = {schema}, pg_temp
RETURN (SELECT least(requested, now() - make_interval(days => days)) FROM consent_log_retention);

CREATE FUNCTION append_only_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = {schema}, pg_temp AS $$
BEGIN
    -- consent_purge_expired() runs as the owner of the table it deletes from.
    IF TG_OP = 'DELETE' AND 'purge' = ANY (TG_ARGV)
            AND current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING HINT = 'Expired consent records are removed by manage.py purge_consents only.';
END;
$$;

DROP TRIGGER consent_record_append_only ON consent_consentrecord;
DROP FUNCTION consent_record_append_only();
{guard};
-- The banner versions (0006) and the day seals (0008) get the same guard, with no way past it.
DROP TRIGGER consent_banner_version_append_only ON consent_bannerversion;
DROP FUNCTION consent_banner_version_append_only();
{banner_guard};
DROP TRIGGER consent_dayseal_append_only ON consent_dayseal;
DROP FUNCTION consent_dayseal_append_only();
{seal_guard};

CREATE FUNCTION consent_record_kept() RETURNS trigger
LANGUAGE plpgsql SET search_path = {schema}, pg_temp AS $$
DECLARE
    cutoff timestamptz := consent_retention_cutoff(NULL);
BEGIN
    IF cutoff IS NULL OR EXISTS (SELECT FROM deleted WHERE decided_at >= cutoff) THEN
        RAISE EXCEPTION 'consent records decided on or after % are kept: DELETE refused', cutoff
            USING HINT = 'Expired consent records are removed by manage.py purge_consents only.';
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER consent_record_kept AFTER DELETE ON consent_consentrecord
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION consent_record_kept();

-- One batch, oldest first, through the decided_at index, then deleted by primary key: "= ANY(ARRAY(...))"
-- keeps the planner on it ("IN (SELECT ...)" may hash-join against a scan of the whole table). Records
-- are never updated, so the ids picked stay expired; consent_record_kept checks them all the same.
CREATE FUNCTION consent_purge_expired(cutoff timestamptz, batch_size integer) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = {schema}, pg_temp
BEGIN ATOMIC
    WITH purged AS (
        DELETE FROM consent_consentrecord WHERE id = ANY(ARRAY(
            SELECT id FROM consent_consentrecord WHERE decided_at < consent_retention_cutoff(cutoff)
            ORDER BY decided_at LIMIT greatest(batch_size, 1)))
        RETURNING 1
    )
    SELECT count(*)::integer FROM purged;
END;
"""

# Back to 0002's guard (which the consent.allow_purge setting opens); the app role's privileges stay.
BACKWARD = """
DROP FUNCTION consent_purge_expired(timestamptz, integer);
DROP TRIGGER consent_record_kept ON consent_consentrecord;
DROP FUNCTION consent_record_kept();
DROP TRIGGER consent_consentrecord_append_only ON consent_consentrecord;
DROP TRIGGER consent_bannerversion_append_only ON consent_bannerversion;
DROP TRIGGER consent_dayseal_append_only ON consent_dayseal;
DROP FUNCTION append_only_guard();
DROP FUNCTION consent_retention_cutoff(timestamptz);
DROP TABLE consent_log_retention;
CREATE FUNCTION consent_record_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('consent.allow_purge', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'consent records are append-only: % refused', TG_OP
        USING HINT = 'Expired records are removed by manage.py purge_consents only.';
END;
$$;
CREATE TRIGGER consent_record_append_only
    BEFORE UPDATE OR DELETE ON consent_consentrecord
    FOR EACH STATEMENT EXECUTE FUNCTION consent_record_append_only();
CREATE FUNCTION consent_banner_version_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'banner versions are append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER consent_banner_version_append_only
    BEFORE UPDATE OR DELETE ON consent_bannerversion
    FOR EACH STATEMENT EXECUTE FUNCTION consent_banner_version_append_only();
CREATE FUNCTION consent_dayseal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'day seals are append-only: % refused', TG_OP
        USING HINT = 'A seal is never changed or removed, not even when its day is purged.';
END;
$$;
CREATE TRIGGER consent_dayseal_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON consent_dayseal
    FOR EACH STATEMENT EXECUTE FUNCTION consent_dayseal_append_only();
"""


def forward(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(current_schema())")
        (schema,) = cursor.fetchone()
        cursor.execute(
            FORWARD.format(
                schema=schema,
                days=int(settings.CONSENT_LOG_RETENTION_DAYS),
                guard=privileges.guard_sql("consent_consentrecord", purge=True),
                banner_guard=privileges.guard_sql("consent_bannerversion"),
                seal_guard=privileges.guard_sql("consent_dayseal"),
            )
        )


def backward(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("consent", "0008_day_seals")]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.RunPython(privileges.grant, migrations.RunPython.noop),
    ]
