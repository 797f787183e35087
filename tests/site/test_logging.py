"""Log lines never carry an e-mail tracker's token, whichever logger writes them (issue 27)."""

from __future__ import annotations

import io
import logging

import pytest

from nocrm_site.logging import JsonFormatter

TOKEN = "eyJtIjo0Miwici.I6MTd9:1vXyZq:s1gnatur3"  # shaped like a signed tracker token


@pytest.fixture
def lines():
    """What the site's stdout handler would write, for every logger (the root's formatter)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


@pytest.mark.parametrize("path", [f"/l/{TOKEN}/", f"/o/{TOKEN}/x", f"/email-tracking/off/{TOKEN}/"])
def test_a_404_under_a_tracker_path_reaches_djangos_request_log_without_its_token(client, db, lines, path):
    assert client.get(path).status_code == 404
    written = lines.getvalue()
    assert '"logger": "django.request"' in written and "Not Found: /" in written
    assert TOKEN not in written and "…" in written


def test_extra_fields_and_exceptions_are_redacted_too(lines):
    try:
        raise ValueError(f"cannot read https://www.nocrm.io/goto/{TOKEN}")
    except ValueError:
        logging.getLogger("tracking.views").exception("failed", extra={"url": f"/l/{TOKEN}", "count": 3})
    written = lines.getvalue()
    assert TOKEN not in written and '"url": "/l/…"' in written and '"count": 3' in written
    assert "/goto/…" in written
