"""Django's PostgreSQL backend, which starts the embedded cluster before it connects."""

from pathlib import Path
from typing import Any

from django.db.backends.postgresql import base

from nocrm_site import embedded_pg


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        socket_dir = embedded_pg.ensure_running(
            Path(self.settings_dict["EMBEDDED_PGDATA"]),
            database=self.settings_dict["EMBEDDED_DATABASE"],
            owner=self.settings_dict["EMBEDDED_OWNER"],
            app=self.settings_dict["EMBEDDED_APP"],
            cleanup=self.settings_dict.get("EMBEDDED_CLEANUP", "stop"),
        )
        self.settings_dict["HOST"] = str(socket_dir)
        return super().get_connection_params()
