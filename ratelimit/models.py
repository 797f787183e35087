"""One small counter per limit, client and time window, in PostgreSQL.

PostgreSQL is the only state every web server shares, so a limit counted here holds across servers
and workers without a shared cache (the default cache is per process: a limit kept there would be
multiplied by the number of processes). Clients are keyed by a keyed hash, never by their address.
"""

from django.db import models


class Window(models.Model):
    scope = models.CharField(max_length=32, help_text="Which limit: leads, consent-report, …")
    client = models.CharField(max_length=64, help_text="HMAC of the client address, never the address itself.")
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "client", "window_start"], name="ratelimit_window_unique"),
        ]
        indexes = [models.Index(fields=["scope", "window_start"], name="ratelimit_window_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.scope} {self.client[:8]}… {self.window_start:%Y-%m-%d %H:%M} ({self.hits})"
