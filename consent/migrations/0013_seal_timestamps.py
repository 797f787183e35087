"""RFC 3161 timestamp tokens of the seals, beside them (issue 27, docs/decisions/0006-daily-seals.md).

Append-only like the seals (the same guard), unmanaged so that a test flush leaves it to
tests/database.py; the app role may read and append (a token vouches only for what
``verify_consent_log`` checks in it: the TSA's signature, the seal as its message imprint, the time).
"""

import django.db.models.functions.datetime
from django.db import migrations, models

from consent import privileges

FORWARD = f"""
CREATE TABLE consent_sealtimestamp (
    day date PRIMARY KEY REFERENCES consent_dayseal (day),
    token bytea NOT NULL,
    timestamped_at timestamptz NOT NULL,
    tsa_url varchar(500) NOT NULL,
    stored_at timestamptz NOT NULL DEFAULT now()
);
{privileges.guard_sql("consent_sealtimestamp")};
"""

BACKWARD = "DROP TABLE IF EXISTS consent_sealtimestamp;"


class Migration(migrations.Migration):
    dependencies = [("consent", "0012_closed_guards")]

    operations = [
        migrations.CreateModel(
            name="SealTimestamp",
            fields=[
                (
                    "day",
                    models.DateField(
                        help_text="Le jour du sceau horodaté.", primary_key=True, serialize=False, verbose_name="jour"
                    ),
                ),
                ("token", models.BinaryField(verbose_name="jeton d'horodatage (DER)")),
                (
                    "timestamped_at",
                    models.DateTimeField(help_text="L'heure signée par l'autorité.", verbose_name="horodaté le"),
                ),
                ("tsa_url", models.CharField(max_length=500, verbose_name="autorité d'horodatage")),
                (
                    "stored_at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now(), verbose_name="enregistré le"
                    ),
                ),
            ],
            options={
                "verbose_name": "horodatage de sceau",
                "verbose_name_plural": "horodatages de sceaux",
                "ordering": ["day"],
                "managed": False,
                "default_permissions": (),
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RunPython(privileges.grant, migrations.RunPython.noop),
    ]
