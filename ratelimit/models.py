"""One small counter per limit, client and time window, in PostgreSQL.

PostgreSQL is the only state every web server shares, so a limit counted here holds across servers
and workers without a shared cache (the default cache is per process: a limit kept there would be
multiplied by the number of processes). Clients are keyed by a keyed hash, never by their address.

The table is on the path of every decision (``POST /consent/`` counts its client in the same statement
as its INSERT), so it is kept cheap to write: its primary key is the counter's own key (no id column
and its index), its expiry index is a BRIN (rows arrive in time order), and it is UNLOGGED (migration
0001): counters are not worth a write-ahead log, and a crash only starts every window afresh.
"""

from django.contrib.postgres.indexes import BrinIndex
from django.db import models


class Window(models.Model):
    pk = models.CompositePrimaryKey("scope", "client", "window_start")
    scope = models.CharField(max_length=32, help_text="Which limit: leads, consent-report, …")
    client = models.CharField(max_length=64, help_text="HMAC of the client address, never the address itself.")
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [BrinIndex(fields=["window_start"], name="ratelimit_window_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.scope} {self.client[:8]}… {self.window_start:%Y-%m-%d %H:%M} ({self.hits})"
