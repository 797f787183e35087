"""Daily seals of the consent log: one digest per settled Paris day, chained, append-only.

``consent_dayseal`` is written only by ``manage.py seal_consents`` (the nightly job), never on the
decision endpoint's path: no trigger on the log's INSERT, a decision stays exactly one INSERT. A
statement-level trigger refuses UPDATE, DELETE and TRUNCATE of the seals to everyone, the retention
purge included: the seal of a purged day is what proves what the day held. The model is unmanaged, so
that a test flush (TRUNCATE) leaves this table alone. See docs/decisions/0006-daily-seals.md.
"""

import django.db.models.functions.datetime
from django.db import migrations, models

HEX_DIGEST = "~ '^[0-9a-f]{64}$'"

FORWARD = f"""
CREATE TABLE consent_dayseal (
    day date PRIMARY KEY,
    version smallint NOT NULL CHECK (version > 0),
    records integer NOT NULL CHECK (records >= 0),
    records_digest varchar(64) NOT NULL CHECK (records_digest {HEX_DIGEST}),
    previous_digest varchar(64) NOT NULL CHECK (previous_digest {HEX_DIGEST}),
    digest varchar(64) NOT NULL CHECK (digest {HEX_DIGEST}),
    sealed_at timestamptz NOT NULL DEFAULT now()
);
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

BACKWARD = """
DROP TABLE IF EXISTS consent_dayseal;
DROP FUNCTION IF EXISTS consent_dayseal_append_only();
"""


class Migration(migrations.Migration):
    # 0006 (database roles) is written in parallel; whichever lands second renumbers or merges.
    dependencies = [("consent", "0007_revision_changes")]

    operations = [
        migrations.CreateModel(
            name="DaySeal",
            fields=[
                (
                    "day",
                    models.DateField(
                        help_text="Jour à l'heure de Paris.", primary_key=True, serialize=False, verbose_name="jour"
                    ),
                ),
                (
                    "version",
                    models.PositiveSmallIntegerField(
                        help_text="Version de la définition des empreintes (docs/decisions/0006-daily-seals.md).",
                        verbose_name="version",
                    ),
                ),
                ("records", models.PositiveIntegerField(verbose_name="décisions")),
                ("records_digest", models.CharField(max_length=64, verbose_name="empreinte des décisions")),
                ("previous_digest", models.CharField(max_length=64, verbose_name="sceau précédent")),
                ("digest", models.CharField(max_length=64, verbose_name="sceau")),
                (
                    "sealed_at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now(), verbose_name="scellé le"
                    ),
                ),
            ],
            options={
                "verbose_name": "sceau journalier",
                "verbose_name_plural": "sceaux journaliers",
                "ordering": ["day"],
                "managed": False,
                "default_permissions": (),
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
