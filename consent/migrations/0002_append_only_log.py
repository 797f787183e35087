"""The consent log is append-only: PostgreSQL refuses UPDATE and DELETE on it.

The one exception is the retention purge, which sets ``consent.allow_purge`` for its own
transaction (``SET LOCAL``) before deleting expired rows. See docs/decisions/0003-consent-log.md.

Migration 0006 replaces this guard: no session setting opens it any more (decision 0005).
"""

from django.db import migrations

FORWARD = """
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
"""

BACKWARD = """
DROP TRIGGER IF EXISTS consent_record_append_only ON consent_consentrecord;
DROP FUNCTION IF EXISTS consent_record_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
