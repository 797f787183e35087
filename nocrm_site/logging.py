"""JSON log lines for stdout, so that a log collector can parse them without a grammar.

Every line, whichever logger wrote it, has the e-mail trackers' tokens cut out (they name a
recipient): Django's own request log writes the path of a 404 (``Not Found: /l/<token>/``), an
exception's text may hold a URL. gunicorn's access log uses the same ``redact_tokens``.
"""

import json
import logging
import re
from datetime import UTC, datetime

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

# Paths whose last segment is a signed token naming an e-mail's recipient (tracking/urls.py).
TOKEN_PATHS = ("/o/", "/l/", "/goto/", "/email-tracking/off/", "/email-tracking/on/")
_TOKENS = re.compile("(" + "|".join(map(re.escape, TOKEN_PATHS)) + r")[^\s\"'<>]+")


def redact_tokens(text: str) -> str:
    """``text`` with whatever follows a tracker path's prefix replaced by an ellipsis."""
    return _TOKENS.sub("\\1…", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_tokens(record.getMessage()),
        }
        # Extra fields given with logger.info(..., extra={...}); the request object is left out
        # because its repr would carry the client's address.
        for key, value in vars(record).items():
            if key not in _STANDARD and key != "request":
                plain = value if isinstance(value, int | float | bool | None) else redact_tokens(str(value))
                entry[key] = plain  # type: ignore[assignment]
        if record.exc_info:
            entry["exception"] = redact_tokens(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)
