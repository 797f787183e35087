"""The rate-limit counters: see ratelimit/models.py for why the table is UNLOGGED."""

import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Window",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "scope", "client", "window_start", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("scope", models.CharField(help_text="Which limit: leads, consent-report, …", max_length=32)),
                (
                    "client",
                    models.CharField(help_text="HMAC of the client address, never the address itself.", max_length=64),
                ),
                ("window_start", models.DateTimeField()),
                ("hits", models.PositiveIntegerField(default=1)),
            ],
            options={
                "indexes": [
                    django.contrib.postgres.indexes.BrinIndex(
                        fields=["window_start"], name="ratelimit_window_expiry_idx"
                    )
                ],
            },
        ),
        migrations.RunSQL("ALTER TABLE ratelimit_window SET UNLOGGED", "ALTER TABLE ratelimit_window SET LOGGED"),
    ]
