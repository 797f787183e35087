"""JSON log lines for stdout, so that a log collector can parse them without a grammar."""

import json
import logging
from datetime import UTC, datetime

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Extra fields given with logger.info(..., extra={...}); the request object is left out
        # because its repr would carry the client's address.
        for key, value in vars(record).items():
            if key not in _STANDARD and key != "request":
                entry[key] = value if isinstance(value, str | int | float | bool | None) else str(value)  # type: ignore[assignment]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
