"""The opens and clicks stored before decision 0007 were recorded without anybody's consent: they are
folded into anonymous counts per message, day, link and kind of reader, and the per-recipient rows
deleted (unsubscribes stay). That cannot be undone.

A migration of its own: the counts' unique index, which the upsert needs, is only created at the
end of the migration that creates their table.
"""

from django.db import migrations

FOLD_EVENTS = """
INSERT INTO tracking_aggregatecount AS a (message_id, kind, url, day, machine, machine_reason, count)
SELECT message_id, kind, url, (occurred_at AT TIME ZONE 'UTC')::date, machine, machine_reason, count(*)
FROM tracking_event WHERE kind IN ('open', 'click')
GROUP BY 1, 2, 3, 4, 5, 6
ON CONFLICT (message_id, kind, day, machine_reason, md5(url)) DO UPDATE SET count = a.count + excluded.count;
DELETE FROM tracking_event WHERE kind IN ('open', 'click');
"""


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0002_recipient_tracking_consent"),
    ]

    operations = [
        migrations.RunSQL(FOLD_EVENTS, migrations.RunSQL.noop),
    ]
