from __future__ import annotations

import pytest
from django.test import Client

from tests.tracking.responses import BROWSER


@pytest.fixture
def message(db):
    from tests.tracking.factories import make_message

    return make_message()


@pytest.fixture
def recipient(db):
    from tests.tracking.factories import make_recipient

    return make_recipient()


@pytest.fixture
def browser() -> Client:
    """A client with a desktop browser's User-Agent (so that its requests count as a person's)."""
    return Client(headers={"User-Agent": BROWSER})
