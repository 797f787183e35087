"""Every consent UI shown to visitors, kept append-only: see BannerVersion and docs/decisions/0003-consent-log.md."""

import django.db.models.functions.datetime
from django.db import migrations, models

APPEND_ONLY = """
CREATE FUNCTION consent_banner_version_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'banner versions are append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER consent_banner_version_append_only
    BEFORE UPDATE OR DELETE ON consent_bannerversion
    FOR EACH STATEMENT EXECUTE FUNCTION consent_banner_version_append_only();
"""
UNDO = """
DROP TRIGGER IF EXISTS consent_banner_version_append_only ON consent_bannerversion;
DROP FUNCTION IF EXISTS consent_banner_version_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0005_daily_rollup"),
    ]

    operations = [
        migrations.CreateModel(
            name="BannerVersion",
            fields=[
                ("hash", models.CharField(max_length=64, primary_key=True, serialize=False, verbose_name="empreinte")),
                ("revision", models.PositiveIntegerField(verbose_name="révision")),
                ("language", models.CharField(max_length=8, verbose_name="langue")),
                ("html", models.TextField(verbose_name="bandeau et fenêtre de paramètres (HTML)")),
                ("declarations", models.JSONField(verbose_name="déclarations affichées")),
                (
                    "created_at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now(), verbose_name="première diffusion"
                    ),
                ),
            ],
            options={
                "verbose_name": "version du bandeau",
                "verbose_name_plural": "versions du bandeau",
                "ordering": ["-created_at"],
            },
        ),
        migrations.RunSQL(APPEND_ONLY, UNDO),
    ]
